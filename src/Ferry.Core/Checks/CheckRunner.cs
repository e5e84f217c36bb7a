using System.Collections.Concurrent;
using System.Diagnostics;
using System.Security.Cryptography;
using System.Threading.Channels;
using Ferry.Core.Transfer;

namespace Ferry.Core.Checks;

/// <summary>
/// Checks a folder of field data: every file's structure and capture metadata (<see cref="MediaInspector"/>, header
/// and last bytes only), capture times against the clock rules, serials against each folder's majority, sidecar
/// checksum files, and per-folder counts and gaps. Files stream from <see cref="SourceScanner"/> through a bounded
/// channel to <see cref="CheckOptions.Concurrency"/> workers; memory holds per-folder tallies, not the files.
/// </summary>
public sealed class CheckRunner(TimeProvider timeProvider)
{
    private const int ChannelCapacity = 1024;

    public Task<CheckReport> RunAsync(string root, CheckOptions options, CancellationToken cancellationToken)
    {
        options.Validate();
        return NewRun(root, options).ExecuteAsync(cancellationToken);
    }

    /// <summary>
    /// Starts a check that another scan feeds (<see cref="CheckFeed"/>): the same inspections and report, over the files
    /// handed to it instead of a walk of its own. <see cref="CheckOptions.Skip"/> is not consulted: the feeder chooses.
    /// </summary>
    public CheckFeed Start(string root, CheckOptions options, CancellationToken cancellationToken)
    {
        options.Validate();
        var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        return NewRun(root, options).Start(stop);
    }

    private Run NewRun(string root, CheckOptions options) =>
        new(Path.GetFullPath(root), options, new CaptureClockRules(options, timeProvider.GetUtcNow()));

    private sealed class Run(string root, CheckOptions options, CaptureClockRules clock)
    {
        private readonly FindingCollector _findings = new(options.FindingsKept, FolderOf);
        private readonly ConcurrentBag<SkippedEntry> _skipped = [];
        private readonly ConcurrentBag<(string Full, string Relative)> _sidecars = [];
        private readonly ConcurrentDictionary<string, SensorFolderTally> _folders = new(StringComparer.Ordinal);
        private readonly ConcurrentDictionary<string, ConcurrentBag<(string Name, string Sha256)>> _written = new(StringComparer.Ordinal);
        private readonly Channel<SourceFile> _channel = Channel.CreateBounded<SourceFile>(new BoundedChannelOptions(ChannelCapacity) { SingleWriter = true });
        private readonly Stopwatch _stopwatch = Stopwatch.StartNew();
        private long _files;
        private long _bytes;

        /// <summary>Walks the root itself and checks what it finds.</summary>
        public async Task<CheckReport> ExecuteAsync(CancellationToken cancellationToken)
        {
            var scanner = new SourceScanner(root, new ScanOptions
            {
                Filter = options.Filter,
                FollowSymlinks = options.FollowSymlinks,
                OnSkipped = _skipped.Add,
            });
            var producer = Task.Run(async () =>
            {
                try
                {
                    await foreach (var file in scanner.ScanAsync(cancellationToken).ConfigureAwait(false))
                    {
                        if (options.Skip?.Invoke(file) == true)
                        {
                            continue;
                        }

                        await _channel.Writer.WriteAsync(file, cancellationToken).ConfigureAwait(false);
                    }
                }
                catch (ChannelClosedException)
                {
                    // A worker failed or was cancelled and closed the queue; the wait below throws why.
                }
                finally
                {
                    _channel.Writer.TryComplete();
                }
            }, cancellationToken);
            return await InspectAsync(producer, cancellationToken).ConfigureAwait(false);
        }

        /// <summary>Checks what a feeder writes until it completes the feed.</summary>
        public CheckFeed Start(CancellationTokenSource stop) => new(_channel.Writer, stop, InspectAsync(Task.CompletedTask, stop.Token));

        private async Task<CheckReport> InspectAsync(Task producer, CancellationToken cancellationToken)
        {
            var workers = Enumerable.Range(0, options.Concurrency)
                .Select(_ => Task.Run(() => WorkAsync(_channel.Reader, cancellationToken), cancellationToken))
                .ToArray();
            await Task.WhenAll([producer, .. workers]).ConfigureAwait(false);

            var sumsVerified = options.VerifySums ? await VerifySidecarsAsync(cancellationToken).ConfigureAwait(false) : 0;
            var sumsWritten = options.WriteSums ? await WriteSumsAsync(cancellationToken).ConfigureAwait(false) : 0;

            var summaries = _folders.Values.OrderBy(f => f.Folder, StringComparer.Ordinal).ToArray();
            foreach (var folder in summaries)
            {
                foreach (var finding in folder.SerialFindings())
                {
                    _findings.Add(finding);
                }
            }

            return new CheckReport(
                _files,
                _bytes,
                _findings.Ordered(),
                summaries.Select(f => f.Summarize(options.Gap)).ToArray(),
                _skipped.OrderBy(s => s.RelativePath, StringComparer.Ordinal).ToArray(),
                sumsVerified,
                sumsWritten,
                _stopwatch.Elapsed) { ProblemCount = _findings.Count, ProblemsByFolder = _findings.CountsByFolder() };
        }

        private async Task WorkAsync(ChannelReader<SourceFile> reader, CancellationToken cancellationToken)
        {
            try
            {
                await InspectEachAsync(reader, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                // A feeder must not wait on a queue nobody reads any more, whether a worker failed or was cancelled:
                // its writes now end at once.
                _channel.Writer.TryComplete(ex is OperationCanceledException ? null : ex);
                throw;
            }
        }

        private async Task InspectEachAsync(ChannelReader<SourceFile> reader, CancellationToken cancellationToken)
        {
            await foreach (var file in reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                Interlocked.Increment(ref _files);
                Interlocked.Add(ref _bytes, file.Size);
                var name = Path.GetFileName(file.RelativePath);
                var folder = FolderOf(file.RelativePath);
                if (SidecarSums.AlgorithmOf(name) is not null)
                {
                    _sidecars.Add((file.FullPath, file.RelativePath));
                    continue;
                }

                var inspection = Inspect(file);
                DateTime? believable = null;
                if (inspection is not null)
                {
                    if (inspection.Problem is { } structural)
                    {
                        _findings.Add(new CheckFinding(file.RelativePath, structural.Problem, structural.Message));
                    }

                    if (clock.Judge(inspection.Metadata) is { } timing)
                    {
                        _findings.Add(new CheckFinding(file.RelativePath, timing.Problem, timing.Message));
                    }
                    else
                    {
                        believable = inspection.Metadata.CapturedAt;
                    }
                }

                _folders.GetOrAdd(folder, f => new SensorFolderTally(f)).Add(file.RelativePath, file.Size, believable, inspection?.Metadata.Serial);
                if (options.WriteSums)
                {
                    await HashForSumsAsync(file, folder, name, cancellationToken).ConfigureAwait(false);
                }
            }
        }

        private FileInspection? Inspect(SourceFile file)
        {
            try
            {
                return MediaInspector.Inspect(file.FullPath);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                _findings.Add(new CheckFinding(file.RelativePath, CheckProblem.Unreadable, $"cannot read: {ex.Message}"));
                return null;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // A file no check foresaw must not stop the run (or an upload behind it): it is reported, the rest go on.
                _findings.Add(new CheckFinding(file.RelativePath, CheckProblem.Damaged, $"could not be checked ({ex.GetType().Name}: {ex.Message})"));
                return null;
            }
        }

        private async Task HashForSumsAsync(SourceFile file, string folder, string name, CancellationToken cancellationToken)
        {
            if (File.Exists(Path.Combine(Path.GetDirectoryName(file.FullPath)!, SidecarSums.WrittenName)))
            {
                return;
            }

            try
            {
                var sha256 = await SidecarSums.HashFileAsync(file.FullPath, HashAlgorithmName.SHA256, cancellationToken).ConfigureAwait(false);
                _written.GetOrAdd(folder, _ => []).Add((name, sha256));
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                _findings.Add(new CheckFinding(file.RelativePath, CheckProblem.Unreadable, $"cannot read it for {SidecarSums.WrittenName}: {ex.Message}"));
            }
        }

        private async Task<int> VerifySidecarsAsync(CancellationToken cancellationToken)
        {
            var verified = 0;
            await Parallel.ForEachAsync(_sidecars, new ParallelOptions { MaxDegreeOfParallelism = options.Concurrency, CancellationToken = cancellationToken }, async (sidecar, ct) =>
            {
                try
                {
                    var (findings, count) = await SidecarSums.VerifyAsync(sidecar.Full, sidecar.Relative, ct).ConfigureAwait(false);
                    foreach (var finding in findings)
                    {
                        _findings.Add(finding);
                    }

                    Interlocked.Add(ref verified, count);
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    _findings.Add(new CheckFinding(sidecar.Relative, CheckProblem.Unreadable, $"cannot read the checksum file: {ex.Message}"));
                }
            }).ConfigureAwait(false);
            return verified;
        }

        private async Task<int> WriteSumsAsync(CancellationToken cancellationToken)
        {
            var written = 0;
            foreach (var (folder, entries) in _written.OrderBy(p => p.Key, StringComparer.Ordinal))
            {
                var full = folder == "." ? root : Path.Combine(root, folder);
                if (File.Exists(Path.Combine(full, SidecarSums.WrittenName)))
                {
                    continue;
                }

                await SidecarSums.WriteAsync(full, entries, cancellationToken).ConfigureAwait(false);
                written++;
            }

            return written;
        }

        private static string FolderOf(string relativePath)
        {
            var slash = relativePath.LastIndexOf('/');
            return slash < 0 ? "." : relativePath[..slash];
        }
    }
}
