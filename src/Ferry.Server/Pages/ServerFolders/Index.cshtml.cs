using Microsoft.AspNetCore.Mvc;
using FolderRules = Ferry.Server.Jobs.ServerFolders;

namespace Ferry.Server.Pages.ServerFolders;

/// <summary>
/// The system administrator's page: pick a company, list, add and remove the server folders its upload jobs may read.
/// Anyone else is sent to the Not allowed page (the sign-in cookie's forbid).
/// </summary>
internal sealed class ServerFoldersModel(FerryDbContext db, FolderRules folders) : FerryPageModel
{
    private readonly FerryDbContext _db = db;
    private readonly FolderRules _folders = folders;

    internal List<Company> Companies { get; private set; } = [];

    internal List<CompanyRoot> Roots { get; private set; } = [];

    /// <summary>The operator's ceiling (Ferry:AllowedRoots): every company's folders lie inside these.</summary>
    public IReadOnlyList<string> Ceiling => _folders.Ceiling;

    /// <summary>The company shown (default: the first).</summary>
    [BindProperty(SupportsGet = true)] public long? Company { get; set; }

    [BindProperty] public string? NewPath { get; set; }

    internal Company? Selected => Companies.FirstOrDefault(c => c.Id == Company);

    public async Task<IActionResult> OnGetAsync(CancellationToken cancellationToken)
    {
        if (!Caller.IsSystemAdmin)
        {
            return Forbid(WebSignIn.Scheme);
        }

        await LoadAsync(cancellationToken);
        return Page();
    }

    public async Task<IActionResult> OnPostAddAsync(CancellationToken cancellationToken)
    {
        if (!Caller.IsSystemAdmin)
        {
            return Forbid(WebSignIn.Scheme);
        }

        if (Company is { } id && await _db.Companies.AcrossCompanies().AnyAsync(c => c.Id == id, cancellationToken))
        {
            var (root, refusal) = await _folders.AddAsync(id, NewPath, cancellationToken);
            Error = refusal?.Sentence;
            Message = root is null ? null : $"Added {root.Path}.";
        }
        else
        {
            Error = "Pick a company first.";
        }

        await LoadAsync(cancellationToken);
        return Page();
    }

    public async Task<IActionResult> OnPostRemoveAsync(string? path, CancellationToken cancellationToken)
    {
        if (!Caller.IsSystemAdmin)
        {
            return Forbid(WebSignIn.Scheme);
        }

        var removed = Company is { } id && await _folders.RemoveAsync(id, path, cancellationToken);
        Error = removed ? null : "That folder is not one of the company's server folders.";
        Message = removed ? $"Removed {path}; queued jobs under it fail when a worker starts them." : null;
        await LoadAsync(cancellationToken);
        return Page();
    }

    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        Companies = await _db.Companies.AcrossCompanies().AsNoTracking().OrderBy(c => c.Id).ToListAsync(cancellationToken);
        Company = Selected?.Id ?? Companies.FirstOrDefault()?.Id;
        Roots = Company is { } id ? await _folders.ListAsync(id, cancellationToken) : [];
    }
}
