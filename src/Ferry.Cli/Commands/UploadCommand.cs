using System.CommandLine;
using Ferry.Cli.Configuration;
using Ferry.Cli.Output;
using Ferry.Cli.Server;
using Ferry.Cli.Stores;
using Ferry.Client;
using Ferry.Client.Contracts;
using Ferry.Client.Sessions;
using Ferry.Core;
using Ferry.Core.Journal;
using Ferry.Core.Storage;
using Ferry.Core.Transfer;

namespace Ferry.Cli.Commands;

/// <summary><c>ferry upload SOURCE DEST</c>: parses options, checks the set-up, runs the engine, reports.</summary>
internal sealed class UploadCommand
{
    private readonly Argument<string?> _source = new("source") { Description = "Local folder to upload", Arity = ArgumentArity.ZeroOrOne };
    private readonly Argument<string?> _destination = new("dest") { Description = "s3://BUCKET/PREFIX, file:///PATH or a directory", Arity = ArgumentArity.ZeroOrOne };
    private readonly S3Options _s3 = new();
    private readonly Option<int?> _concurrency = new("--concurrency", "-j") { Description = "Files in flight at once, fixed (default: adaptive, starting at 16; 1-256)" };
    private readonly Option<int?> _maxConcurrency = new("--max-concurrency") { Description = "Cap for adaptive concurrency, which grows the files in flight while throughput rises and backs off on SlowDown, timeouts and resets (default 64, or --concurrency when that is given; 1-256)" };
    private readonly Option<string?> _partSize = new("--part-size") { Description = "Multipart part size (default 8MiB; 5MiB-5GiB)" };
    private readonly Option<string?> _threshold = new("--multipart-threshold") { Description = "Files larger than this go in parallel parts (default 16MiB)" };
    private readonly Option<int?> _retries = new("--retries") { Description = "Retries per request on transient errors (default 5; 0-20)" };
    private readonly Option<string?> _memory = new("--memory") { Description = "Memory for request buffers (default 64MiB)" };
    private readonly Option<bool> _move = new("--move") { Description = "Delete each local file once its upload is verified" };
    private readonly Option<string?> _archiveTo = new("--archive-to") { Description = "Move each local file here (same relative path) once its upload is verified" };
    private readonly Option<string?> _manifest = new("--manifest") { Description = "Write a JSON Lines manifest of the run to this file (kept locally even with --move)" };
    private readonly Option<string?> _manifestKey = new("--manifest-key") { Description = "Also upload the manifest under this key in the bucket" };
    private readonly Option<string?> _config = new("--config") { Description = "JSON config (local_directory, bucket_name, s3_prefix, max_workers, aws_region, times_to_retry, aws_profile, use_find, endpoint_url); flags override it" };
    private readonly FilterOptions _filter = new("upload");
    private readonly Option<bool> _dryRun = new("--dry-run") { Description = "Print the plan; write nothing" };
    private readonly Option<bool> _followSymlinks = new("--follow-symlinks") { Description = "Follow symbolic links (with loop detection) instead of skipping them" };
    private readonly Option<bool> _json = new("--json") { Description = "Print NDJSON events (schema v1, see docs/cli.md) and a final summary object" };
    private readonly Option<bool> _quiet = new("--quiet", "-q") { Description = "No progress display; only failures and the summary" };
    private readonly Option<string?> _journal = new("--journal") { Description = "Journal database (default: FERRY_HOME/journal.db, ~/.local/share/ferry/journal.db)" };
    private readonly Option<string?> _server = new("--server") { Description = "Upload through a Ferry server's session (after 'ferry login URL'): bucket and prefix come from --project and --cycle, URLs are presigned by the server, no S3 credentials needed" };
    private readonly Option<string?> _project = new("--project") { Description = "With --server: the project (name or id)" };
    private readonly Option<string?> _cycle = new("--cycle") { Description = "With --server: the cycle, e.g. C2" };
    private readonly UploadCheckOption _check = new();
    private readonly Option<bool> _skipDuplicates = new("--skip-duplicates") { Description = "Do not upload a file whose bytes (SHA-256 and size) the destination already holds under another key (a card copied twice, a renamed folder); the session lists it as a duplicate of that key. With --server the project's content index on the server decides" };
    private readonly Option<bool> _wait = new("--wait") { Description = "If another ferry process is uploading the same source to the same destination with this journal, wait for it to end instead of exiting 2" };

    public Command Build()
    {
        var command = new Command("upload", "Upload a folder: every file SOURCE/REL becomes the object PREFIX/REL, verified by size and checksum, resumable.\n\n" + ExitCodes.HelpText).With(_source, _destination);
        _s3.AddTo(command);
        _filter.AddTo(command);
        _check.AddTo(command);
        foreach (var option in new Option[] { _concurrency, _maxConcurrency, _partSize, _threshold, _retries, _memory, _move, _archiveTo, _manifest, _manifestKey, _config, _dryRun, _followSymlinks, _json, _quiet, _journal, _server, _project, _cycle, _wait, _skipDuplicates })
        {
            command.Options.Add(option);
        }

        command.SetAction((parse, cancellationToken) => RunAsync(parse, cancellationToken));
        return command;
    }

    private async Task<int> RunAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        var config = parse.GetValue(_config) is { } configPath ? UploadConfigFile.Load(configPath) : null;
        var sourceText = parse.GetValue(_source) ?? config?.LocalDirectory
            ?? throw CliException.Usage("no source folder given; write ferry upload SOURCE DEST, or set local_directory in --config");
        if (parse.GetValue(_server) is { } serverText)
        {
            // The session keeps what the check found (per sensor folder, up to 10 problems each); the server's page shows it.
            var report = await _check.RunAsync(parse, SourceFolder.Check(sourceText), _filter.Read(parse), parse.GetValue(_followSymlinks), null,
                SensorFolderCheck.MaximumFolders * SensorFolderCheck.MaximumExamples, cancellationToken);
            return await RunThroughServerAsync(parse, serverText, sourceText, config, report is null ? null : SessionCheckResults.From(report), cancellationToken);
        }

        if (parse.GetValue(_project) is not null || parse.GetValue(_cycle) is not null)
        {
            throw CliException.Usage("--project and --cycle need --server URL");
        }

        var destinationText = parse.GetValue(_destination) ?? config?.Destination
            ?? throw CliException.Usage("no destination given; write ferry upload SOURCE s3://BUCKET/PREFIX, or set bucket_name in --config");

        var source = SourceFolder.Check(sourceText);
        var location = StoreConnection.ParseLocation(destinationText);
        var options = ReadOptions(parse, config);
        var s3 = _s3.Read(parse, options.ConcurrencyCap * 2 + 8, config?.EndpointUrl, config?.AwsRegion, config?.AwsProfile);
        if (location.Scheme == StoreScheme.Local && IsInside(location.Container, source))
        {
            throw CliException.Usage($"the destination {location.Container} lies inside the source {source}; pick a destination outside it");
        }

        using var transferLock = await LockAsync(parse, source, location.ToString(), options.DryRun, cancellationToken);
        var store = StoreConnection.Open(location, s3);
        try
        {
            using var journal = JournalFile.Open(parse.GetValue(_journal), options.DryRun);
            // --check warn: the upload's own scan feeds the check every file it sends or compares, so the source is walked once.
            // Not with --move or --archive-to: a file could be moved before the check reads it (sidecar checksum files are
            // verified last), so those check first, as strict does.
            await using var check = options.Move || options.ArchiveTo is not null ? null : _check.StartAlongside(parse, source, options.Filter, options.FollowSymlinks, cancellationToken);
            if (check is null)
            {
                // --check strict (or warn with a move): the whole source first; strict uploads nothing when it finds problems.
                // It skips files the journal already verified at this destination unchanged: a resync costs what it did without it.
                var alreadyVerified = journal is null ? null : AlreadyVerified(journal, store.Identity, location.Prefix);
                await _check.RunAsync(parse, source, options.Filter, options.FollowSymlinks, alreadyVerified, UploadCheckOption.ListedProblems, cancellationToken);
            }

            await StoreConnection.CheckAccessAsync(store, cancellationToken);
            var summary = await RunEngineAsync(parse, source, store, location.Prefix, location.ToString(), check is null ? options : options with { OnPlanned = check.AddAsync }, journal,
                check is null ? null : ended => ended.Outcome is TransferOutcome.Aborted or TransferOutcome.Interrupted ? check.StopAsync() : UploadCheckOption.ReportAsync(check, source),
                cancellationToken);
            return ExitCodes.Of(summary);
        }
        finally
        {
            (store as IDisposable)?.Dispose();
        }
    }

    private async Task<int> RunThroughServerAsync(ParseResult parse, string serverText, string sourceText, UploadConfigFile? config, List<SensorFolderCheck>? checks, CancellationToken cancellationToken)
    {
        if (parse.GetValue(_destination) is not null)
        {
            throw CliException.Usage("with --server the bucket and prefix come from --project and --cycle; leave out DEST");
        }

        var project = parse.GetValue(_project) ?? throw CliException.Usage("--server needs --project NAME");
        var cycle = parse.GetValue(_cycle) ?? throw CliException.Usage("--server needs --cycle NAME (e.g. C2)");
        var source = SourceFolder.Check(sourceText);
        var options = ReadOptions(parse, config);
        if (parse.GetValue(_concurrency) is null && parse.GetValue(_maxConcurrency) is null && config?.MaxWorkers is null)
        {
            options = SessionUpload.WithSessionConcurrency(options);
        }

        var server = ServerTokenStore.Normalize(serverText);
        using var transferLock = await LockAsync(parse, source, $"{server.GetLeftPart(UriPartial.Authority)} project {project} cycle {cycle}", options.DryRun, cancellationToken);
        var target = await ServerUploadTarget.OpenAsync(server, project, cycle, source, options, checks, cancellationToken);
        using var api = target.Api as IDisposable;
        using var session = target;
        using var journal = JournalFile.Open(parse.GetValue(_journal), options.DryRun);
        var summary = await RunEngineAsync(parse, source, target.Store, target.Prefix, target.Describe(), options, journal, null, cancellationToken);
        try
        {
            var finished = await target.FinishAsync(CancellationToken.None);
            if (!parse.GetValue(_json))
            {
                Console.Out.WriteLine($"session {finished.Id} on {target.Api.Server.GetLeftPart(UriPartial.Authority)}: {finished.Status} ({finished.UploadedFiles} uploaded, {finished.SkippedFiles} already there, {finished.FailedFiles} failed, {finished.PendingFiles} pending)");
            }
        }
        catch (FerryApiException ex)
        {
            await Console.Error.WriteLineAsync($"ferry: warning: could not close session {target.Session.Id} on the server: {ex.Message}");
        }

        return ExitCodes.Of(summary);
    }

    /// <summary>Runs the engine with the display the flags ask for, and prints or emits the summary.</summary>
    /// <param name="beforeSummary">Runs once the upload has ended, before its summary is printed (the --check warn report).</param>
    private async Task<TransferSummary> RunEngineAsync(ParseResult parse, string source, IWritableObjectStore store, string prefix, string destination, UploadOptions options, TransferJournal? journal,
        Func<TransferSummary, Task>? beforeSummary, CancellationToken cancellationToken)
    {
        var json = parse.GetValue(_json);
        var mode = ProgressDisplay.ChooseMode(json, parse.GetValue(_quiet));
        await using var events = json ? new JsonEventWriter(Console.Out) : null;
        ITransferObserver observer = events is not null ? events : new ConsoleObserver(options.DryRun, Console.Out, Console.Error);
        events?.Write("start", new Dictionary<string, object?> { ["source"] = source, ["destination"] = destination, ["dry_run"] = options.DryRun });

        var progress = new TransferProgress();
        var engine = new UploadEngine(journal);
        var request = new UploadRequest(source, store, prefix);
        var run = engine.RunAsync(request, options, progress, observer, cancellationToken);
        var summary = await new ProgressDisplay(progress, mode, events, Console.Error).RunAsync(run);
        if (beforeSummary is not null)
        {
            await beforeSummary(summary);
        }

        if (events is not null)
        {
            events.Write("summary", SummaryPrinter.Fields(summary, options.ManifestPath));
        }
        else
        {
            var manifest = options.ManifestPath is not null && !options.DryRun && summary.Outcome != TransferOutcome.Aborted
                ? options.ManifestPath + (options.ManifestKey is null ? "" : $" (also at key {options.ManifestKey})")
                : null;
            SummaryPrinter.Print(summary, TransferDirection.Upload, destination, options.DryRun, options.Move ? "moved" : "archived", Console.Out, manifest);
        }

        return summary;
    }

    private UploadOptions ReadOptions(ParseResult parse, UploadConfigFile? config)
    {
        var defaults = new UploadOptions();
        var fixedConcurrency = parse.GetValue(_concurrency) ?? config?.MaxWorkers;
        var options = defaults with
        {
            Concurrency = fixedConcurrency ?? defaults.Concurrency,
            // An explicit --concurrency (or max_workers) is fixed unless --max-concurrency lifts the cap above it.
            MaxConcurrency = parse.GetValue(_maxConcurrency) ?? fixedConcurrency ?? defaults.MaxConcurrency,
            PartSize = Size(parse, _partSize) ?? defaults.PartSize,
            MultipartThreshold = Size(parse, _threshold) ?? defaults.MultipartThreshold,
            Retries = parse.GetValue(_retries) ?? config?.TimesToRetry ?? defaults.Retries,
            MemoryBudget = Size(parse, _memory) ?? defaults.MemoryBudget,
            Move = parse.GetValue(_move),
            ArchiveTo = parse.GetValue(_archiveTo) is { } archive ? Path.GetFullPath(archive) : null,
            ManifestPath = parse.GetValue(_manifest) is { } manifest ? Path.GetFullPath(manifest) : null,
            ManifestKey = parse.GetValue(_manifestKey),
            DryRun = parse.GetValue(_dryRun),
            FollowSymlinks = parse.GetValue(_followSymlinks),
            Filter = _filter.Read(parse),
            SkipDuplicates = parse.GetValue(_skipDuplicates),
        };
        if (options.ManifestKey is not null && options.ManifestPath is null)
        {
            throw CliException.Usage("--manifest-key needs --manifest FILE (the local copy it uploads)");
        }

        if (options.ManifestKey is { } key && ObjectKey.FindProblem(key) is { } problem)
        {
            throw CliException.Usage($"--manifest-key '{key}' is not a valid key: {problem}");
        }

        try
        {
            options.Validate();
        }
        catch (ArgumentException ex)
        {
            throw CliException.Usage(ex.Message);
        }

        return options;
    }

    private static long? Size(ParseResult parse, Option<string?> option) =>
        parse.GetValue(option) is { } text ? ByteSize.Parse(text, option.Name) : null;

    /// <summary>
    /// One upload per journal, source and destination at a time (<see cref="TransferLock"/>): exits 2 naming the
    /// process that holds the lock, or with --wait waits for it. A dry run writes nothing and takes no lock.
    /// </summary>
    private async Task<TransferLock?> LockAsync(ParseResult parse, string source, string destination, bool dryRun, CancellationToken cancellationToken)
    {
        if (dryRun)
        {
            return null;
        }

        var journal = parse.GetValue(_journal) is { } path ? Path.GetFullPath(path) : FerryPaths.JournalFile;
        var lockPath = TransferLock.PathFor(journal, source, destination);
        static string Holder(int? pid) => $"another ferry upload (pid {pid?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "unknown"})";
        try
        {
            if (parse.GetValue(_wait))
            {
                return await TransferLock.AcquireAsync(lockPath, pid => Console.Error.WriteLine($"ferry: waiting for {Holder(pid)}, which is uploading {source} to {destination}"), cancellationToken);
            }

            return TransferLock.TryAcquire(lockPath, out var holder)
                ?? throw CliException.Usage($"{Holder(holder)} is already uploading {source} to {destination} with the journal {journal}; wait for it to finish, or pass --wait");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw CliException.Usage($"cannot create the lock file {lockPath}: {ex.Message}; set FERRY_HOME or --journal to a writable place");
        }
    }

    /// <summary>True for a file the journal holds as verified at this destination with the same path, size and modification time (what a rerun skips).</summary>
    private static Func<SourceFile, bool> AlreadyVerified(TransferJournal journal, string identity, string prefix) => file =>
        journal.FindObject(identity, ObjectKey.Join(prefix, file.RelativePath)) is { } known
        && known.SourcePath == file.FullPath && known.Size == file.Size && known.MtimeTicks == file.LastWriteTicks;

    private static bool IsInside(string path, string folder)
    {
        var relative = Path.GetRelativePath(folder, path);
        return relative == "." || !relative.StartsWith("..", StringComparison.Ordinal) && !Path.IsPathRooted(relative);
    }
}
