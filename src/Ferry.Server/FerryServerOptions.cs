namespace Ferry.Server;

/// <summary>
/// The server's settings, bound from the <c>Ferry</c> configuration section (appsettings, <c>Ferry__Name</c>
/// environment variables, command line); <c>FERRY_DB</c>, <c>FERRY_ADMIN_PASSWORD</c> and
/// <c>FERRY_SIGNING_KEY</c> are read too. Every default is documented here and in docs/server.md.
/// </summary>
public sealed class FerryServerOptions
{
    /// <summary>The database: an Npgsql connection string for PostgreSQL, or <c>Data Source=FILE</c> for SQLite. Default: SQLite <c>server.db</c> in <see cref="DataDirectory"/>.</summary>
    public string? Database { get; set; }

    /// <summary>Where the server keeps its files (SQLite database, signing key). Default: Ferry's data directory (<c>FERRY_HOME</c>, XDG, <c>~/.local/share/ferry</c>).</summary>
    public string? DataDirectory { get; set; }

    /// <summary>The token-signing secret, base64, at least 32 bytes. Default: generated on first start into <c>signing.key</c> (mode 0600) in the data directory.</summary>
    public string? SigningKey { get; set; }

    /// <summary>The first administrator's password, used only when the database has no user yet (the operator chose it: no change is required). Default: a random password written to <c>initial-admin-password</c> (mode 0600) in the data directory, to be changed at first sign-in.</summary>
    public string? AdminPassword { get; set; }

    /// <summary>The name of the company created on first start. Default "Default".</summary>
    public string FirstCompanyName { get; set; } = "Default";

    /// <summary>How long an access token lives. Default 12 hours; 5 minutes to 30 days.</summary>
    public TimeSpan TokenLifetime { get; set; } = TimeSpan.FromHours(12);

    /// <summary>How long a presigned URL lives. Default 1 hour; 1 minute to 7 days.</summary>
    public TimeSpan PresignLifetime { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// Files up to this size may be relayed: the upload page sends them to the server in batches
    /// (<c>POST /api/sessions/{id}/relay</c>), and the server writes each to the project's bucket and proves it from S3's
    /// answer, instead of one presigned request per file from the browser. The server then carries those files' bytes.
    /// Default 1 MiB; 0 turns relaying off (every file goes straight to S3); at most 16 MiB.
    /// </summary>
    public long RelayMaximumFileSize { get; set; } = 1L << 20;

    /// <summary>
    /// How long a Camtrap DP package's presigned media links may live, when the operator lets them outlive
    /// <see cref="PresignLifetime"/> (a package shared for 24 hours or 7 days). Default: unset, so <see cref="PresignLifetime"/>;
    /// 1 minute to 7 days. Never longer than the asking caller's sign-in has left.
    /// </summary>
    public TimeSpan? CamtrapLinkLifetime { get; set; }

    /// <summary>The most media rows one Camtrap DP package holds; a larger export is refused (400). Default 1,000,000; 1 to 10,000,000.</summary>
    public int CamtrapMaximumMedia { get; set; } = 1_000_000;

    /// <summary>Failed logins allowed per user name and address within <see cref="LoginWindow"/> before 429. Default 5.</summary>
    public int LoginAttempts { get; set; } = 5;

    /// <summary>The window over which failed logins are counted. Default 15 minutes.</summary>
    public TimeSpan LoginWindow { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>How many failed-sign-in rows (each failure adds one for its user name and address, one for its address) the sign-in throttle keeps at most, across every replica; past that, the oldest are forgotten first. Default 100,000; at least 100.</summary>
    public int LoginTrackedKeys { get; set; } = 100_000;

    /// <summary>How long a page token (the token a web page's script calls the API with) lives. Default 15 minutes; 1 minute to 1 hour.</summary>
    public TimeSpan PageTokenLifetime { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>
    /// Reverse proxies (IP addresses or CIDR ranges, e.g. <c>10.0.0.5</c>, <c>10.0.0.0/24</c>) whose
    /// <c>X-Forwarded-For/Proto/Host</c> headers are believed. Default: none — forwarded headers are ignored and the
    /// connection's own address and scheme count.
    /// </summary>
    public List<string> KnownProxies { get; set; } = [];

    /// <summary>How long a failed login waits before it answers. Default 1 second.</summary>
    public TimeSpan FailedLoginDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// S3 access key and secret for the server's own requests (HEAD, multipart create/complete), when not from
    /// the AWS SDK's standard chain (web identity, environment, shared profiles, container credentials, instance
    /// metadata). Never sent to a client.
    /// </summary>
    public string? S3AccessKeyId { get; set; }

    /// <summary>See <see cref="S3AccessKeyId"/>.</summary>
    public string? S3SecretAccessKey { get; set; }

    /// <summary>Where session audit bundles go in the project's bucket: <c>s3://BUCKET/ExportPrefix/YYYYMMDD_HHMMSS_session-…/</c>. Default <c>ferry-exports</c>.</summary>
    public string ExportPrefix { get; set; } = "ferry-exports";

    /// <summary>The first delay before an export that failed is retried from the outbox; doubled per attempt, at most 1 hour. Default 1 minute.</summary>
    public TimeSpan ExportRetryDelay { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How often the <c>export-retry</c> schedule looks for exports due for a retry (once across all processes). Default 15 seconds.</summary>
    public TimeSpan ExportRetryInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// The operator's ceiling for upload jobs (absolute paths): every company's server folders (set by the system
    /// administrator, <c>company_roots</c>) must lie inside one of them, as written and after symbolic links are
    /// resolved; this process (server or worker) refuses anything else. Each one is also given once to the first
    /// company (see <c>Jobs.ServerFolders.SeedConfiguredAsync</c>). Default: none (jobs are refused until an operator sets them).
    /// </summary>
    public List<string> AllowedRoots { get; set; } = [];

    /// <summary>How often a worker records that it is alive while running a job. Default 10 seconds.</summary>
    public TimeSpan WorkerHeartbeat { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>A running job whose worker has not sent a heartbeat for this long is taken over by another worker. Default 1 minute.</summary>
    public TimeSpan WorkerTimeout { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How often an idle worker looks for a queued job. Default 2 seconds.</summary>
    public TimeSpan WorkerPollInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// On SIGTERM or SIGINT, how long <c>serve</c> and <c>worker</c> wait for requests in flight to end and running work
    /// to be handed back before they stop anyway (the host's <c>ShutdownTimeout</c>). Event streams end at once; a
    /// running job is handed back to the queue at once. Default 30 seconds; 0 to 10 minutes.
    /// </summary>
    public TimeSpan ShutdownGrace { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Where donations go: <c>s3://BUCKET/PREFIX</c>; each company's under <c>PREFIX/COMPANY-ID/</c>. Default: none (donations refused).</summary>
    public string? DonationDestination { get; set; }

    /// <summary>The S3 endpoint of <see cref="DonationDestination"/>, when not AWS.</summary>
    public string? DonationEndpoint { get; set; }

    /// <summary>The region of <see cref="DonationDestination"/>. Default us-east-1.</summary>
    public string DonationRegion { get; set; } = "us-east-1";

    /// <summary>The study's pseudonymization rules (JSON). Default: Ferry's rules for training logs, study <c>ferry-donations</c>.</summary>
    public string? DonationRulesFile { get; set; }

    /// <summary>The consent policy (text file starting <c>Version: X</c>). Default: Ferry's.</summary>
    public string? DonationPolicyFile { get; set; }

    /// <summary>Replaced by <c>Ferry:Schedules:DonationExport</c> (a cron expression in UTC); setting it is refused with a message saying so.</summary>
    public string? DonationExportEvery { get; set; }

    /// <summary>How many days a scheduled export covers. Default 7.</summary>
    public int DonationExportDays { get; set; } = 7;

    /// <summary>Replaced by <c>Ferry:Schedules:DonationRetention</c> (a cron expression in UTC); setting it is refused with a message saying so.</summary>
    public string? DonationRetentionEvery { get; set; }

    /// <summary>How long donations are kept. Default 365 days.</summary>
    public int DonationRetentionDays { get; set; } = 365;

    /// <summary>Largest upload accepted by <c>POST /api/donations</c>, in bytes. Default 1 GiB.</summary>
    public long DonationMaximumBytes { get; set; } = 1L << 30;

    /// <summary>
    /// Cap on the decompressed bytes of one donation (all its files together). Checked while the upload is read, and
    /// again while it is pseudonymized; passing it refuses the donation whole (413). Default 2 GiB; at least 1 KiB.
    /// </summary>
    public long DonationMaximumDecompressedBytes { get; set; } = Core.Privacy.DonationLimits.DefaultMaximumDecompressedBytes;

    /// <summary>Cap on the records (non-blank lines) of one donation; as <see cref="DonationMaximumDecompressedBytes"/>. Default 20,000,000; at least 1.</summary>
    public long DonationMaximumRecords { get; set; } = Core.Privacy.DonationLimits.DefaultMaximumRecords;

    /// <summary>Cap on one line of a donation, in bytes; a longer line refuses the donation. Default 16 MiB; 1 KiB to 256 MiB.</summary>
    public int DonationMaximumLineBytes { get; set; } = Core.Privacy.DonationLimits.DefaultMaximumLineBytes;

    /// <summary>Donations one user may have running (being uploaded, queued or processed) at once; the next is a 429. Default 2; 1 to 100.</summary>
    public int DonationMaximumRunningPerUser { get; set; } = 2;

    /// <summary>Server-sent event streams (<c>GET /api/sessions/ID/events</c>) one user may hold open at once; the next is a 429. Default 8; 1 to 1,000.</summary>
    public int EventStreamsPerUser { get; set; } = 8;

    /// <summary>How long one event stream lasts before the server ends it (the browser's EventSource then reconnects). Default 1 hour; 1 second to 24 hours.</summary>
    public TimeSpan EventStreamLifetime { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Requests one donation link may make per minute (its info, uploads, chunks, finish), across all donors holding it; the next is a 429. Default 120; 1 to 100,000.</summary>
    public int DonationLinkRequestsPerMinute { get; set; } = 120;

    /// <summary>Calls one client address may make per minute with a missing or unknown donation-link token before every link call from it is a 429 for the rest of the minute. Default 30; 1 to 100,000.</summary>
    public int DonationLinkWrongTokensPerMinute { get; set; } = 30;

    /// <summary>Donation-link finishes (unpack, check and re-key a bundle) this server runs at once; the next is a 503 and its donor sends the finish again. Default 2; 1 to 100.</summary>
    public int DonationLinkFinishesAtOnce { get; set; } = 2;

    /// <summary>The largest chunk of a donation-link upload (one PATCH), in bytes. Default 8 MiB; 64 KiB to 64 MiB.</summary>
    public int DonationLinkChunkBytes { get; set; } = 8 << 20;

    /// <summary>The caps of <see cref="DonationMaximumDecompressedBytes"/>, <see cref="DonationMaximumRecords"/> and <see cref="DonationMaximumLineBytes"/>.</summary>
    public Core.Privacy.DonationLimits ToDonationLimits() => new()
    {
        MaximumDecompressedBytes = DonationMaximumDecompressedBytes, MaximumRecords = DonationMaximumRecords, MaximumLineBytes = DonationMaximumLineBytes,
    };

    /// <summary>The bearer token <c>GET /metrics</c> asks of every caller, loopback included, when set. Default: none (then only loopback may scrape).</summary>
    public string? MetricsToken { get; set; }

    /// <summary><c>json</c> for one JSON object per log line (for log shippers); default: plain text.</summary>
    public string? LogFormat { get; set; }

    /// <summary>Storage locations (<c>Ferry:Storage:*</c>).</summary>
    public StorageServerOptions Storage { get; set; } = new();

    /// <summary>The server-wide schedules (<c>Ferry:Schedules:*</c>).</summary>
    public Schedules.ScheduleOptions Schedules { get; set; } = new();

    /// <summary>Throws <see cref="ArgumentException"/> naming the setting and its valid range.</summary>
    public void Validate()
    {
        if (TokenLifetime < TimeSpan.FromMinutes(5) || TokenLifetime > TimeSpan.FromDays(30))
        {
            throw new ArgumentException("Ferry:TokenLifetime must be from 5 minutes to 30 days");
        }

        if (PresignLifetime < TimeSpan.FromMinutes(1) || PresignLifetime > TimeSpan.FromDays(7))
        {
            throw new ArgumentException("Ferry:PresignLifetime must be from 1 minute to 7 days");
        }

        if (RelayMaximumFileSize is < 0 or > 16L << 20)
        {
            throw new ArgumentException("Ferry:RelayMaximumFileSize must be from 0 (relaying off) to 16 MiB (16777216)");
        }

        if (CamtrapLinkLifetime is { } links && (links < TimeSpan.FromMinutes(1) || links > TimeSpan.FromDays(7)))
        {
            throw new ArgumentException("Ferry:CamtrapLinkLifetime must be from 1 minute to 7 days (or unset: Ferry:PresignLifetime)");
        }

        if (CamtrapMaximumMedia is < 1 or > 10_000_000)
        {
            throw new ArgumentException("Ferry:CamtrapMaximumMedia must be from 1 to 10,000,000");
        }

        if (LoginAttempts < 1)
        {
            throw new ArgumentException("Ferry:LoginAttempts must be at least 1");
        }

        if (LoginTrackedKeys < 100)
        {
            throw new ArgumentException("Ferry:LoginTrackedKeys must be at least 100");
        }

        if (PageTokenLifetime < TimeSpan.FromMinutes(1) || PageTokenLifetime > TimeSpan.FromHours(1))
        {
            throw new ArgumentException("Ferry:PageTokenLifetime must be from 1 minute to 1 hour");
        }

        foreach (var proxy in KnownProxies)
        {
            if (!System.Net.IPNetwork.TryParse(proxy.Contains('/', StringComparison.Ordinal) ? proxy : proxy + (proxy.Contains(':', StringComparison.Ordinal) ? "/128" : "/32"), out _))
            {
                throw new ArgumentException($"Ferry:KnownProxies entries must be IP addresses or CIDR ranges (10.0.0.5, 10.0.0.0/24); '{proxy}' is not");
            }
        }

        if (WorkerTimeout <= WorkerHeartbeat * 2 || WorkerHeartbeat < TimeSpan.FromMilliseconds(100) || WorkerPollInterval < TimeSpan.FromMilliseconds(50))
        {
            throw new ArgumentException("Ferry:WorkerTimeout must be more than twice Ferry:WorkerHeartbeat (at least 100 ms), and Ferry:WorkerPollInterval at least 50 ms");
        }

        if (ShutdownGrace < TimeSpan.Zero || ShutdownGrace > TimeSpan.FromMinutes(10))
        {
            throw new ArgumentException("Ferry:ShutdownGrace must be from 0 seconds to 10 minutes");
        }

        if (AllowedRoots.FirstOrDefault(r => !Path.IsPathRooted(r)) is { } relative)
        {
            throw new ArgumentException($"Ferry:AllowedRoots entries must be absolute paths; '{relative}' is not");
        }

        if (DonationLinkRequestsPerMinute is < 1 or > 100_000 || DonationLinkWrongTokensPerMinute is < 1 or > 100_000 || DonationLinkChunkBytes is < 64 * 1024 or > 64 << 20)
        {
            throw new ArgumentException("Ferry:DonationLinkRequestsPerMinute and Ferry:DonationLinkWrongTokensPerMinute must be 1 to 100,000 and Ferry:DonationLinkChunkBytes 65,536 to 67,108,864");
        }

        if (DonationExportDays < 1 || DonationRetentionDays < 1)
        {
            throw new ArgumentException("Ferry:DonationExportDays and Ferry:DonationRetentionDays must be at least 1");
        }

        if (!string.IsNullOrEmpty(DonationExportEvery) || !string.IsNullOrEmpty(DonationRetentionEvery))
        {
            throw new ArgumentException("Ferry:DonationExportEvery and Ferry:DonationRetentionEvery were replaced by Ferry:Schedules:DonationExport and Ferry:Schedules:DonationRetention, cron expressions in UTC (e.g. '0 0 2 ? * MON'); see docs/operations.md");
        }

        Schedules.Validate();

        if (DonationDestination is { } destination && !destination.StartsWith("s3://", StringComparison.OrdinalIgnoreCase))
        {
            throw new ArgumentException($"Ferry:DonationDestination '{destination}' must be s3://BUCKET/PREFIX");
        }

        if (DonationMaximumDecompressedBytes < 1024 || DonationMaximumRecords < 1
            || DonationMaximumLineBytes is < Core.Privacy.DonationLimits.SmallestMaximumLineBytes or > Core.Privacy.DonationLimits.LargestMaximumLineBytes)
        {
            throw new ArgumentException("Ferry:DonationMaximumDecompressedBytes must be at least 1,024, Ferry:DonationMaximumRecords at least 1, and Ferry:DonationMaximumLineBytes from 1,024 to 268,435,456 (256 MiB)");
        }

        if (DonationLinkFinishesAtOnce is < 1 or > 100)
        {
            throw new ArgumentException("Ferry:DonationLinkFinishesAtOnce must be from 1 to 100");
        }

        if (DonationMaximumRunningPerUser is < 1 or > 100)
        {
            throw new ArgumentException("Ferry:DonationMaximumRunningPerUser must be from 1 to 100");
        }

        if (EventStreamsPerUser is < 1 or > 1000 || EventStreamLifetime < TimeSpan.FromSeconds(1) || EventStreamLifetime > TimeSpan.FromHours(24))
        {
            throw new ArgumentException("Ferry:EventStreamsPerUser must be from 1 to 1,000 and Ferry:EventStreamLifetime from 1 second to 24 hours");
        }

        if (LogFormat is not (null or "" or "json" or "text"))
        {
            throw new ArgumentException("Ferry:LogFormat is json or text");
        }

        if (ExportRetryDelay < TimeSpan.FromSeconds(1) || ExportRetryInterval < TimeSpan.FromMilliseconds(100))
        {
            throw new ArgumentException("Ferry:ExportRetryDelay must be at least 1 second and Ferry:ExportRetryInterval at least 100 ms");
        }

        if (Core.Storage.ObjectKey.FindProblem(ExportPrefix.Trim('/') + "/x") is { } problem)
        {
            throw new ArgumentException($"Ferry:ExportPrefix '{ExportPrefix}' cannot be a key prefix: {problem}");
        }

        if ((S3AccessKeyId is null) != (S3SecretAccessKey is null))
        {
            throw new ArgumentException("set both Ferry:S3AccessKeyId and Ferry:S3SecretAccessKey, or neither");
        }
    }

    public string ResolvedDataDirectory => string.IsNullOrWhiteSpace(DataDirectory) ? Core.FerryPaths.DataDirectory : Path.GetFullPath(DataDirectory);
}
