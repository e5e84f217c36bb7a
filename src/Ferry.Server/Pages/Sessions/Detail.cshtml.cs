using Ferry.Server.Checks;

namespace Ferry.Server.Pages.Sessions;

/// <summary>One session: counters, the checks before the upload and the duplicates found, bytes verified per minute, file types, and the failed files with their reasons.</summary>
internal sealed class SessionDetailModel(FerryDbContext db, FerryServerOptions options, PageTokens pageTokens) : FerryPageModel
{
    private readonly FerryDbContext _db = db;
    private readonly FerryServerOptions _options = options;
    private readonly PageTokens _pageTokens = pageTokens;

    internal sealed record TypeCount(string Extension, long Files, long Bytes);

    internal sealed record ThroughputPoint(DateTimeOffset Minute, long Bytes);

    public long Id { get; private set; }

    internal UploadSession? Session { get; private set; }

    public string ProjectName { get; private set; } = "";

    public string CycleName { get; private set; } = "";

    public string Bucket { get; private set; } = "";

    public string Prefix { get; private set; } = "";

    internal List<ThroughputPoint> Throughput { get; } = [];

    internal List<TypeCount> Types { get; private set; } = [];

    internal List<SessionFile> Failed { get; private set; } = [];

    /// <summary>What the client's checks found before the upload (stored with the session); empty when it sent none.</summary>
    internal List<SensorFolderCheck> Checks { get; private set; } = [];

    /// <summary>Sensor folders and warning examples the server left out to keep the check results within 256 KiB.</summary>
    internal int OmittedCheckFolders { get; private set; }

    /// <summary>See <see cref="OmittedCheckFolders"/>.</summary>
    internal int OmittedCheckExamples { get; private set; }

    /// <summary>Files whose bytes the project already held under another key, per sensor folder (the path's first segment).</summary>
    internal Dictionary<string, long> DuplicatesByFolder { get; } = new(StringComparer.Ordinal);

    /// <summary>Up to 500 duplicate files with the key each duplicates.</summary>
    internal List<SessionFile> Duplicates { get; private set; } = [];

    /// <summary>The sensor folder of a path: its first segment, or "(folder itself)".</summary>
    internal static string FolderOf(string path) => path.IndexOf('/') is > 0 and var slash ? path[..slash] : "(folder itself)";

    internal List<SessionExport> Exports { get; private set; } = [];

    public string Token { get; private set; } = "";

    public string ExportPrefix => _options.ExportPrefix.Trim('/');

    /// <summary>A finished session may be exported by users and admins.</summary>
    public bool CanExport => Session is { Status: not SessionStatus.Active } && Caller.CanWrite;

    public async Task OnGetAsync(long id, CancellationToken cancellationToken)
    {
        Id = id;
        if (await Ferry.Server.Sessions.UploadSessions.LoadAsync(_db, Caller, id, cancellationToken) is not { } found)
        {
            return;
        }

        (Session, ProjectName, CycleName, Bucket, Prefix) = (found.Session, found.Project.Name, found.Cycle.Name, found.Project.BucketName, found.Cycle.S3Prefix);
        var perMinute = new SortedDictionary<DateTimeOffset, long>();
        var types = new Dictionary<string, (long Files, long Bytes)>(StringComparer.OrdinalIgnoreCase);
        // Streamed: a session may hold 300,000 rows; only three columns are read.
        await foreach (var file in _db.SessionFiles.AsNoTracking().Where(f => f.SessionId == id).Select(f => new { f.Path, f.Size, f.UploadedAt, f.DuplicateOf }).AsAsyncEnumerable().WithCancellation(cancellationToken))
        {
            var extension = Path.GetExtension(file.Path) is { Length: > 0 } e ? e.ToLowerInvariant() : "(none)";
            var count = types.GetValueOrDefault(extension);
            types[extension] = (count.Files + 1, count.Bytes + file.Size);
            if (file.DuplicateOf is not null)
            {
                var folder = FolderOf(file.Path);
                DuplicatesByFolder[folder] = DuplicatesByFolder.GetValueOrDefault(folder) + 1;
            }

            if (file.UploadedAt is { } at)
            {
                var minute = new DateTimeOffset(at.Year, at.Month, at.Day, at.Hour, at.Minute, 0, TimeSpan.Zero);
                perMinute[minute] = perMinute.GetValueOrDefault(minute) + file.Size;
            }
        }

        Throughput.AddRange(perMinute.Select(p => new ThroughputPoint(p.Key, p.Value)));
        Types = types.OrderByDescending(t => t.Value.Files).Select(t => new TypeCount(t.Key, t.Value.Files, t.Value.Bytes)).ToList();
        Exports = await _db.Exports.AsNoTracking().Where(e => e.SessionId == id && e.CompanyId == Caller.CompanyId).OrderByDescending(e => e.Id).Take(20).ToListAsync(cancellationToken);
        if (CanExport)
        {
            Token = await _pageTokens.IssueAsync(Caller, cancellationToken);
        }

        (Checks, OmittedCheckFolders, OmittedCheckExamples) = await SessionCheckStore.LoadAsync(_db, id, cancellationToken) ?? ([], 0, 0);
        Duplicates = DuplicatesByFolder.Count == 0 ? [] : await _db.SessionFiles.AsNoTracking().Where(f => f.SessionId == id && f.DuplicateOf != null).OrderBy(f => f.Id).Take(500).ToListAsync(cancellationToken);
        Failed = await _db.SessionFiles.AsNoTracking().Where(f => f.SessionId == id && f.Status == FileStatus.Failed).OrderBy(f => f.Id).Take(500).ToListAsync(cancellationToken);
    }
}
