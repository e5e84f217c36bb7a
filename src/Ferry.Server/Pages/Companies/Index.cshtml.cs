using Microsoft.AspNetCore.Mvc;

namespace Ferry.Server.Pages.Companies;

/// <summary>
/// The system administrator's page of companies (tenants): list them with their number of users, create and rename
/// them, and list one company's users (<c>?company=ID</c>), over <see cref="CompanyDirectory"/>. Anyone else is sent
/// to the Not allowed page (the sign-in cookie's forbid).
/// </summary>
internal sealed class CompaniesModel(CompanyDirectory directory) : CompanyPageModel(directory)
{
    /// <summary>The users of the company chosen (the Rename handler renames it).</summary>
    internal List<User> Users { get; private set; } = [];

    /// <summary>The name typed into the create or rename form.</summary>
    [BindProperty] public string? NewName { get; set; }

    public async Task<IActionResult> OnPostCreateAsync(CancellationToken cancellationToken)
    {
        var (company, refusal) = await Directory.CreateAsync(NewName, cancellationToken);
        Error = refusal?.Sentence;
        Message = company is null ? null : $"Created company {company.Name} ({company.Id}); now create its first admin on the Users page.";
        Company = company?.Id;
        return await ShowAsync(cancellationToken);
    }

    public async Task<IActionResult> OnPostRenameAsync(CancellationToken cancellationToken)
    {
        if (Company is not { } id)
        {
            Error = "Pick a company to rename.";
        }
        else
        {
            var (company, refusal) = await Directory.RenameAsync(id, NewName, cancellationToken);
            Error = refusal?.Sentence ?? (company is null ? $"There is no company {id}." : null);
            Message = company is null ? null : $"Renamed company {company.Id} to {company.Name}.";
        }

        return await ShowAsync(cancellationToken);
    }

    private protected override async Task LoadSelectedAsync(CancellationToken cancellationToken) =>
        Users = Selected is { } company ? await Directory.UsersAsync(company.Id, cancellationToken) : [];
}
