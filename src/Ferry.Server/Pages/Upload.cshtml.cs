namespace Ferry.Server.Pages;

/// <summary>
/// The upload page: project, cycle, folder. The browser does the work (wwwroot/app/upload.js, built from ClientApp/):
/// it registers the folder's files with the session API, sends small files through the server in batches (relay) and
/// the others straight to S3 with presigned URLs, reporting those for verification. The page carries a bearer token
/// for those calls.
/// </summary>
internal sealed class UploadModel(ProjectCatalog projects, FerryServerOptions options, PageTokens pageTokens) : FerryPageModel
{
    private readonly ProjectCatalog _projects = projects;
    private readonly FerryServerOptions _options = options;
    private readonly PageTokens _pageTokens = pageTokens;

    /// <summary>Part size for files above <see cref="MultipartThreshold"/>, in bytes (8 MiB).</summary>
    public long PartSize { get; } = 8L * 1024 * 1024;

    /// <summary>Files larger than this go in parallel parts, in bytes (16 MiB).</summary>
    public long MultipartThreshold { get; } = 16L * 1024 * 1024;

    /// <summary>Files up to this size go through the server in batches (<see cref="FerryServerOptions.RelayMaximumFileSize"/>; 0: none).</summary>
    public long RelayMaximumFileSize => _options.RelayMaximumFileSize;

    internal List<Project> Projects { get; private set; } = [];

    internal List<Cycle> Cycles { get; private set; } = [];

    public bool CanUpload => Caller.CanWrite;

    public string Token { get; private set; } = "";

    public string ExportPrefix => _options.ExportPrefix.Trim('/');

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        if (!CanUpload)
        {
            return;
        }

        (Projects, Cycles) = await _projects.ListWithCyclesAsync(Caller.CompanyId, cancellationToken);
        Token = await _pageTokens.IssueAsync(Caller, cancellationToken);
    }
}
