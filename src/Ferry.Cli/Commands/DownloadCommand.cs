using System.CommandLine;
using Ferry.Cli.Configuration;
using Ferry.Cli.Output;
using Ferry.Cli.Stores;
using Ferry.Core.Transfer;

namespace Ferry.Cli.Commands;

/// <summary><c>ferry download SOURCE DIR</c>: every object SOURCE/REL becomes DIR/REL, verified, resumable.</summary>
internal sealed class DownloadCommand
{
    private readonly Argument<string> _source = new("source") { Description = "s3://BUCKET/PREFIX, file:///PATH or a directory" };
    private readonly Argument<string> _destination = new("dir") { Description = "Local folder to write into (created if missing)" };
    private readonly S3Options _s3 = new();
    private readonly Option<int?> _concurrency = new("--concurrency", "-j") { Description = "Objects in flight at the start; fixed at this number unless --max-concurrency is higher (default 16; 1-256)" };
    private readonly Option<int?> _maxConcurrency = new("--max-concurrency") { Description = "Cap for adaptive concurrency, which grows the objects in flight while throughput rises and backs off on SlowDown, timeouts and resets (default 64, or --concurrency when that is given; 1-256)" };
    private readonly Option<string?> _chunkSize = new("--chunk-size") { Description = "Bytes per ranged GET of a large object (default 32MiB)" };
    private readonly Option<string?> _rangeThreshold = new("--range-threshold") { Description = "Objects larger than this come as parallel ranged GETs, resumable per chunk (default 32MiB)" };
    private readonly Option<int?> _retries = new("--retries") { Description = "Retries per request on transient errors (default 5; 0-20)" };
    private readonly Option<bool> _overwrite = new("--overwrite") { Description = "Replace local files that differ from the object (default: report and keep them)" };
    private readonly Option<bool> _fsync = new("--fsync") { Description = "Flush every file to disk before it takes its final name (survives power loss; slower)" };
    private readonly FilterOptions _filter = new("download");
    private readonly Option<bool> _dryRun = new("--dry-run") { Description = "Print the plan; write nothing" };
    private readonly Option<bool> _json = new("--json") { Description = "Print NDJSON events (schema v1, see docs/cli.md) and a final summary object" };
    private readonly Option<bool> _quiet = new("--quiet", "-q") { Description = "No progress display; only failures and the summary" };
    private readonly Option<string?> _journal = new("--journal") { Description = "Journal database (default: FERRY_HOME/journal.db)" };

    public Command Build()
    {
        var command = new Command("download", "Download every object under a prefix: SOURCE/REL becomes DIR/REL, written under a temporary name and renamed only once size and checksum are verified; resumable.\n\n" + ExitCodes.HelpText.Replace("uploaded", "downloaded", StringComparison.Ordinal)).With(_source, _destination);
        _s3.AddTo(command);
        _filter.AddTo(command);
        foreach (var option in new Option[] { _concurrency, _maxConcurrency, _chunkSize, _rangeThreshold, _retries, _overwrite, _fsync, _dryRun, _json, _quiet, _journal })
        {
            command.Options.Add(option);
        }

        command.SetAction((parse, cancellationToken) => RunAsync(parse, cancellationToken));
        return command;
    }

    private async Task<int> RunAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        var location = StoreConnection.ParseLocation(parse.GetValue(_source)!);
        var destination = Path.GetFullPath(parse.GetValue(_destination)!);
        if (File.Exists(destination))
        {
            throw CliException.Usage($"the destination {destination} is a file; give a folder to download into");
        }

        var defaults = new DownloadOptions();

        var options = defaults with
        {
            Concurrency = parse.GetValue(_concurrency) ?? defaults.Concurrency,
            MaxConcurrency = parse.GetValue(_maxConcurrency) ?? parse.GetValue(_concurrency) ?? defaults.MaxConcurrency,
            ChunkSize = parse.GetValue(_chunkSize) is { } chunk ? ByteSize.Parse(chunk, "--chunk-size") : defaults.ChunkSize,
            RangeThreshold = parse.GetValue(_rangeThreshold) is { } threshold ? ByteSize.Parse(threshold, "--range-threshold") : defaults.RangeThreshold,
            Retries = parse.GetValue(_retries) ?? defaults.Retries,
            Overwrite = parse.GetValue(_overwrite),
            Fsync = parse.GetValue(_fsync),
            DryRun = parse.GetValue(_dryRun),
            Filter = _filter.Read(parse),
        };
        try
        {
            options.Validate();
        }
        catch (ArgumentException ex)
        {
            throw CliException.Usage(ex.Message);
        }

        if (location.Scheme == Core.Storage.StoreScheme.Local && (destination + "/").StartsWith(location.Container.TrimEnd('/') + "/", StringComparison.Ordinal))
        {
            throw CliException.Usage($"the destination {destination} lies inside the source {location.Container}; pick a folder outside it");
        }

        var store = StoreConnection.Open(location, _s3.Read(parse, Math.Max(options.ConcurrencyCap, options.Concurrency * options.ChunkConcurrency) + 8));
        try
        {
            await StoreConnection.CheckAccessAsync(store, cancellationToken);
            await RequireObjectsAsync(store, location, cancellationToken);
            using var journal = JournalFile.Open(parse.GetValue(_journal), options.DryRun);
            var json = parse.GetValue(_json);
            var mode = ProgressDisplay.ChooseMode(json, parse.GetValue(_quiet));
            await using var events = json ? new JsonEventWriter(Console.Out) : null;
            ITransferObserver observer = events is not null ? events : new ConsoleObserver(options.DryRun, Console.Out, Console.Error);
            events?.Write("start", new Dictionary<string, object?> { ["source"] = location.ToString(), ["destination"] = destination, ["dry_run"] = options.DryRun });

            var progress = new TransferProgress();
            TransferSummary summary;
            try
            {
                var run = new DownloadEngine(journal).RunAsync(new DownloadRequest(store, location.Prefix, destination), options, progress, observer, cancellationToken);
                summary = await new ProgressDisplay(progress, mode, events, Console.Error).RunAsync(run);
            }
            catch (UnauthorizedAccessException ex)
            {
                throw CliException.Usage($"cannot write to {destination}: {ex.Message}");
            }

            if (events is not null)
            {
                events.Write("summary", SummaryPrinter.Fields(summary, null));
            }
            else
            {
                SummaryPrinter.Print(summary, TransferDirection.Download, location.ToString(), options.DryRun, null, Console.Out);
            }

            return ExitCodes.Of(summary);
        }
        finally
        {
            (store as IDisposable)?.Dispose();
        }
    }

    private static async Task RequireObjectsAsync(Core.Storage.IObjectStore store, Core.Storage.StoreLocation location, CancellationToken cancellationToken)
    {
        await foreach (var _ in store.ListAsync(location.Prefix, cancellationToken))
        {
            return;
        }

        throw CliException.Usage($"nothing under {location}; check the prefix (ferry cat fetches a single object)");
    }
}
