using Microsoft.AspNetCore.Mvc;
using FolderRules = Ferry.Server.Jobs.ServerFolders;

namespace Ferry.Server.Pages.ServerFolders;

/// <summary>
/// The system administrator's page: pick a company (default: the first), list, add and remove the server folders its
/// upload jobs may read. Anyone else is sent to the Not allowed page (the sign-in cookie's forbid).
/// </summary>
internal sealed class ServerFoldersModel(CompanyDirectory directory, FolderRules folders) : CompanyPageModel(directory)
{
    private readonly FolderRules _folders = folders;

    internal List<CompanyRoot> Roots { get; private set; } = [];

    /// <summary>The operator's ceiling (Ferry:AllowedRoots): every company's folders lie inside these.</summary>
    public IReadOnlyList<string> Ceiling => _folders.Ceiling;

    [BindProperty] public string? NewPath { get; set; }

    public async Task<IActionResult> OnPostAddAsync(CancellationToken cancellationToken)
    {
        if (Company is { } id && await Directory.FindAsync(id, cancellationToken) is not null)
        {
            var (root, refusal) = await _folders.AddAsync(id, NewPath, cancellationToken);
            Error = refusal?.Sentence;
            Message = root is null ? null : $"Added {root.Path}.";
        }
        else
        {
            Error = "Pick a company first.";
        }

        return await ShowAsync(cancellationToken);
    }

    public async Task<IActionResult> OnPostRemoveAsync(string? path, CancellationToken cancellationToken)
    {
        var removed = Company is { } id && await _folders.RemoveAsync(id, path, cancellationToken);
        Error = removed ? null : "That folder is not one of the company's server folders.";
        Message = removed ? $"Removed {path}; queued jobs under it fail when a worker starts them." : null;
        return await ShowAsync(cancellationToken);
    }

    private protected override async Task LoadSelectedAsync(CancellationToken cancellationToken)
    {
        Company = Selected?.Id ?? Companies.FirstOrDefault()?.Id;
        Roots = Company is { } id ? await _folders.ListAsync(id, cancellationToken) : [];
    }
}
