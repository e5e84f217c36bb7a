using Microsoft.AspNetCore.Mvc;

namespace Ferry.Server.Pages.Companies;

/// <summary>
/// The system administrator's page of companies (tenants): list them with their number of users, create and rename
/// them, and list one company's users (<c>?company=ID</c>), over <see cref="CompanyDirectory"/>. Anyone else is sent
/// to the Not allowed page (the sign-in cookie's forbid).
/// </summary>
internal sealed class CompaniesModel(CompanyDirectory directory) : FerryPageModel
{
    private readonly CompanyDirectory _directory = directory;

    internal List<CompanySummary> Companies { get; private set; } = [];

    internal List<User> Users { get; private set; } = [];

    /// <summary>The company whose users are shown, or renamed by the Rename handler.</summary>
    [BindProperty(SupportsGet = true)] public long? Company { get; set; }

    /// <summary>The name typed into the create or rename form.</summary>
    [BindProperty] public string? NewName { get; set; }

    internal CompanySummary? Selected => Companies.FirstOrDefault(c => c.Id == Company);

    public async Task<IActionResult> OnGetAsync(CancellationToken cancellationToken)
    {
        if (!Caller.IsSystemAdmin)
        {
            return Forbid(WebSignIn.Scheme);
        }

        await LoadAsync(cancellationToken);
        return Page();
    }

    public async Task<IActionResult> OnPostCreateAsync(CancellationToken cancellationToken)
    {
        if (!Caller.IsSystemAdmin)
        {
            return Forbid(WebSignIn.Scheme);
        }

        var (company, refusal) = await _directory.CreateAsync(NewName, cancellationToken);
        Error = refusal?.Sentence;
        Message = company is null ? null : $"Created company {company.Name} ({company.Id}); now create its first admin on the Users page.";
        Company = company?.Id;
        await LoadAsync(cancellationToken);
        return Page();
    }

    public async Task<IActionResult> OnPostRenameAsync(CancellationToken cancellationToken)
    {
        if (!Caller.IsSystemAdmin)
        {
            return Forbid(WebSignIn.Scheme);
        }

        if (Company is not { } id)
        {
            Error = "Pick a company to rename.";
        }
        else
        {
            var (company, refusal) = await _directory.RenameAsync(id, NewName, cancellationToken);
            Error = refusal?.Sentence ?? (company is null ? $"There is no company {id}." : null);
            Message = company is null ? null : $"Renamed company {company.Id} to {company.Name}.";
        }

        await LoadAsync(cancellationToken);
        return Page();
    }

    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        Companies = await _directory.ListAsync(cancellationToken);
        Users = Selected is { } company ? await _directory.UsersAsync(company.Id, cancellationToken) : [];
    }
}
