using Ferry.Server.Storage;
using Microsoft.AspNetCore.Mvc;

namespace Ferry.Server.Pages.Storage;

/// <summary>The system administrator's storage locations: add one (keys are stored encrypted), test it, grant it to a company.</summary>
internal sealed class StorageModel(CompanyDirectory directory, StorageLocationCatalog catalog) : FerryPageModel
{
    private readonly CompanyDirectory _directory = directory;
    private readonly StorageLocationCatalog _catalog = catalog;

    internal List<StorageLocationResponse> Locations { get; private set; } = [];

    internal List<Company> Companies { get; private set; } = [];

    [BindProperty] public string? Name { get; set; }
    [BindProperty] public string? EndpointUrl { get; set; }
    [BindProperty] public string? Region { get; set; }
    [BindProperty] public string? CredentialSource { get; set; }
    [BindProperty] public string? ProfileName { get; set; }
    [BindProperty] public string? AccessKeyId { get; set; }

    /// <summary>Write-only: never rendered back into the page.</summary>
    [BindProperty] public string? SecretAccessKey { get; set; }
    [BindProperty] public string? Bucket { get; set; }
    [BindProperty] public long? CompanyId { get; set; }
    [BindProperty] public string? BucketPattern { get; set; }
    [BindProperty] public bool Shared { get; set; }

    private protected override bool Allowed => Caller.IsSystemAdmin;

    /// <summary>Anyone else is answered 403 (the default scheme's forbid), not sent to the Not allowed page.</summary>
    private protected override IActionResult Refused() => Forbid();

    public Task<IActionResult> OnGetAsync(CancellationToken cancellationToken) => ShowAsync(cancellationToken);

    public async Task<IActionResult> OnPostCreateAsync(CancellationToken cancellationToken)
    {
        var (location, refusal) = await _catalog.CreateAsync(
            new StorageLocationRequest(Name, EndpointUrl, Region, null, CredentialSource, ProfileName, AccessKeyId, SecretAccessKey), cancellationToken);
        Error = refusal?.Sentence;
        Message = location is null ? null : $"Storage location '{location.Name}' added.";
        SecretAccessKey = null;
        return await ShowAsync(cancellationToken);
    }

    public async Task<IActionResult> OnPostTestAsync(long locationId, CancellationToken cancellationToken)
    {
        if (await _catalog.FindAsync(locationId, cancellationToken) is { } location)
        {
            var result = await _catalog.TestAsync(location, Bucket, cancellationToken);
            if (result.Ok)
            {
                Message = Sentence(result.Message);
            }
            else
            {
                Error = Sentence(result.Message);
            }
        }

        return await ShowAsync(cancellationToken);
    }

    public async Task<IActionResult> OnPostGrantAsync(long locationId, CancellationToken cancellationToken)
    {
        if (await _catalog.FindAsync(locationId, cancellationToken) is { } location)
        {
            var (grant, refusal) = await _catalog.GrantAsync(location, new StorageGrantRequest(CompanyId, BucketPattern, Shared), cancellationToken);
            Error = refusal?.Sentence;
            Message = grant is null ? null : $"Granted {grant.BucketPattern} at '{location.Name}'.";
        }

        return await ShowAsync(cancellationToken);
    }

    private static string Sentence(string text) => char.ToUpperInvariant(text[0]) + text[1..] + ".";

    private protected override async Task LoadAsync(CancellationToken cancellationToken)
    {
        Locations = await _catalog.ListAsync(cancellationToken);
        Companies = await _directory.ByNameAsync(cancellationToken);
    }
}
