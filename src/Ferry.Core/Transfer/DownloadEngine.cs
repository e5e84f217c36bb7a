using System.Collections.Concurrent;
using System.Diagnostics;
using System.Threading.Channels;
using Ferry.Core.Hashing;
using Ferry.Core.Journal;
using Ferry.Core.Storage;

namespace Ferry.Core.Transfer;

/// <summary>
/// Downloads every object under a prefix into a folder, with the guarantees uploads have: each file
/// is written under a temporary name in its folder and renamed only after its size and checksum are
/// verified; large objects come as parallel ranged GETs that resume per chunk after a crash; a rerun
/// skips files the journal proves unchanged; a local file that differs is never replaced unless
/// asked. The listing is streamed, so memory does not grow with the number of objects.
/// </summary>
public sealed class DownloadEngine(TransferJournal? journal, TimeProvider? time = null)
{
    /// <summary>Name prefix of temporary files; they never take a final name before verification.</summary>
    public const string TemporaryFilePrefix = ".ferry-partial-";

    private readonly TransferJournal? _journal = journal;
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    /// <summary>Runs one download; throws <see cref="ArgumentException"/> for invalid options and <see cref="IOException"/> when the destination is a file.</summary>
    public async Task<TransferSummary> RunAsync(DownloadRequest request, DownloadOptions options, TransferProgress progress, ITransferObserver? observer, CancellationToken cancellationToken)
    {
        options.Validate();
        var destination = Path.GetFullPath(request.Destination);
        if (File.Exists(destination))
        {
            throw new IOException($"the destination {destination} is a file; give a folder");
        }

        var run = new Run(this, request, destination, options, progress, observer);
        return await run.ExecuteAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The state of one run: a streamed listing feeding N workers, each fetching, verifying, renaming and recording one object.</summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA1001", Justification = "One Run per call: ExecuteAsync completes the journal writer in its finally block.")]
    private sealed class Run(DownloadEngine engine, DownloadRequest request, string destination, DownloadOptions options, TransferProgress progress, ITransferObserver? observer)
    {
        private readonly ConcurrentQueue<FileEvent> _failures = new();
        private readonly ConcurrentDictionary<string, byte> _createdFolders = new(StringComparer.Ordinal);
        private readonly bool _record = !options.DryRun && engine._journal is not null;
        private long _sessionId;
        private JournalWriter? _writer;
        private ObjectFetcher? _fetcher;
        private StoreException? _fatal;
        private CancellationTokenSource? _abort;

        private TransferJournal? Journal => engine._journal;

        private TimeProvider Time => engine._time;

        public async Task<TransferSummary> ExecuteAsync(CancellationToken cancellationToken)
        {
            var clock = Stopwatch.StartNew();
            if (_record)
            {
                _sessionId = Journal!.StartSession("download", request.Store.Description + "/" + request.Prefix, destination, Time.GetUtcNow());
                _writer = new JournalWriter(Journal);
            }

            using var abort = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            _abort = abort;
            // As for uploads: a cap above the start makes the objects in flight adaptive (far-away links climb, loopback stays).
            var adaptive = options.ConcurrencyCap > options.Concurrency;
            var concurrency = new ConcurrencyController(options.Concurrency, adaptive ? 1 : options.Concurrency, options.ConcurrencyCap);
            concurrency.LimitChanged = limit => progress.SetConcurrency(limit, concurrency.Backoffs);
            progress.SetConcurrency(concurrency.Limit, 0);
            var retry = RetryPolicy.Create(options.Retries, options.RetryBaseDelay, progress, observer, concurrency);
            _fetcher = new ObjectFetcher(request.Store, retry, progress, options.DryRun ? null : Journal, options.ChunkSize, options.RangeThreshold, options.ChunkConcurrency, options.Fsync);

            string? message = null;
            try
            {
                var work = Channel.CreateBounded<(StoredObject, string)>(new BoundedChannelOptions(concurrency.Maximum * 4) { SingleWriter = true });
                var workers = Enumerable.Range(0, concurrency.Maximum).Select(_ => Task.Run(() => WorkAsync(work.Reader, concurrency, abort.Token), CancellationToken.None)).ToArray();
                using var windows = CancellationTokenSource.CreateLinkedTokenSource(abort.Token);
                var adjusting = Task.Run(() => concurrency.RunWindowsAsync(Time, windows.Token), CancellationToken.None);
                try
                {
                    await ListAsync(work.Writer, abort.Token).ConfigureAwait(false);
                }
                finally
                {
                    work.Writer.TryComplete();
                    try
                    {
                        await Task.WhenAll(workers).ConfigureAwait(false);
                    }
                    finally
                    {
                        await windows.CancelAsync().ConfigureAwait(false);
                        await adjusting.ConfigureAwait(false);
                    }
                }
            }
            catch (OperationCanceledException) when (_fatal is not null || cancellationToken.IsCancellationRequested)
            {
                message = _fatal?.Message ?? "interrupted; run the same command again to resume";
            }
            catch (StoreException ex) when (ex.IsFatalForRun || ex.Kind == StoreErrorKind.Unreachable)
            {
                _fatal = ex;
                message = ex.Message;
            }
            finally
            {
                if (_writer is not null)
                {
                    await _writer.CompleteAsync().ConfigureAwait(false);
                }
            }

            clock.Stop();
            return TransferSummary.Conclude(_sessionId, _fatal, message, cancellationToken.IsCancellationRequested, progress.Snapshot(), clock.Elapsed,
                _failures.ToArray(), new Dictionary<string, long>(), _record ? Journal : null, Time.GetUtcNow());
        }

        /// <summary>Streams the listing into the work queue; keys that cannot be local paths fail here, filtered ones are left out.</summary>
        private async Task ListAsync(ChannelWriter<(StoredObject, string)> work, CancellationToken cancellationToken)
        {
            var prefix = request.Prefix;
            await foreach (var listed in request.Store.ListAsync(prefix, cancellationToken).ConfigureAwait(false))
            {
                var relative = listed.Key[prefix.Length..];
                if (relative.Length == 0 || relative.EndsWith('/'))
                {
                    continue; // folder markers carry no file
                }

                if (LocalPathProblem(relative) is { } problem)
                {
                    // An object that cannot be written here is a failure of the run (exit 1), not a skip: the copy is incomplete.
                    progress.AddFailed(listed.Size);
                    await RecordAsync(new FileEvent(FileOutcomes.Failed, relative, listed.Key, listed.Size, null, listed.ETag, problem, Time.GetUtcNow())).ConfigureAwait(false);
                    continue;
                }

                if (!options.Filter.Matches(relative))
                {
                    continue;
                }

                progress.AddFound(listed.Size);
                await work.WriteAsync((listed, relative), cancellationToken).ConfigureAwait(false);
            }

            progress.MarkScanComplete();
        }

        /// <summary>Waits for work, then for a slot under the concurrency limit, then does one object.</summary>
        private async Task WorkAsync(ChannelReader<(StoredObject, string)> work, ConcurrencyController concurrency, CancellationToken cancellationToken)
        {
            try
            {
                while (await work.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    await concurrency.AcquireAsync(cancellationToken).ConfigureAwait(false);
                    if (!work.TryRead(out var item))
                    {
                        concurrency.Release(0, 0);
                        continue;
                    }

                    var fetched = false;
                    try
                    {
                        fetched = await ProcessAsync(item.Item1, item.Item2, cancellationToken).ConfigureAwait(false);
                    }
                    finally
                    {
                        concurrency.Release(fetched ? 1 : 0, fetched ? item.Item1.Size : 0);
                    }
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // A worker that dies must not leave the lister waiting on a full queue.
                await _abort!.CancelAsync().ConfigureAwait(false);
                throw;
            }
        }

        /// <summary>Does one object; true when it was fetched (a request that counts towards throughput).</summary>
        private async Task<bool> ProcessAsync(StoredObject listed, string relative, CancellationToken cancellationToken)
        {
            var target = Path.Combine([destination, .. relative.Split('/')]);
            try
            {
                if (await FindPresentAsync(listed, target, cancellationToken).ConfigureAwait(false) is { } present)
                {
                    progress.AddPresent(listed.Size);
                    var found = new FileEvent(FileOutcomes.Present, relative, listed.Key, listed.Size, present.Sha256, listed.ETag, null, Time.GetUtcNow());
                    // A copy the journal proves unchanged is counted in the session, not given a row of its own (docs/cli.md).
                    if (present.ProvenByJournal)
                    {
                        Report(found);
                    }
                    else
                    {
                        await RecordAsync(found).ConfigureAwait(false);
                    }

                    return false;
                }

                if (options.DryRun)
                {
                    Report(new FileEvent(FileEvent.WouldDownload, relative, listed.Key, listed.Size, null, listed.ETag, null, Time.GetUtcNow()));
                    return false;
                }

                var fetched = await FetchAsync(listed, target, cancellationToken).ConfigureAwait(false);
                progress.AddTransferred(listed.Size);
                await RecordAsync(new FileEvent(FileOutcomes.Downloaded, relative, listed.Key, listed.Size, fetched.Sha256, listed.ETag,
                    fetched.ChecksumVerified ? null : "size checked; the store keeps no checksum for this object", Time.GetUtcNow())).ConfigureAwait(false);
                return true;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                throw;
            }
            catch (IOException ex) when (LocalDiskErrors.IsDiskFull(ex))
            {
                _fatal ??= new StoreException(StoreErrorKind.LocalStorage, $"no space left on the device holding {destination}; free some space and run again (finished files are kept, partial ones resume)", ex);
                await _abort!.CancelAsync().ConfigureAwait(false);
                throw new OperationCanceledException(_fatal.Message, ex, cancellationToken);
            }
            catch (StoreException ex) when (ex.IsFatalForRun || ex.Kind == StoreErrorKind.Unreachable)
            {
                _fatal ??= ex;
                await _abort!.CancelAsync().ConfigureAwait(false);
                throw new OperationCanceledException(ex.Message, ex, cancellationToken);
            }
            catch (Exception ex)
            {
                progress.AddFailed(listed.Size);
                await RecordAsync(new FileEvent(FileOutcomes.Failed, relative, listed.Key, listed.Size, null, listed.ETag, ex.Message, Time.GetUtcNow())).ConfigureAwait(false);
                return false;
            }
        }

        /// <summary>
        /// The local copy when <paramref name="target"/> already holds the object; null when there is nothing there.
        /// Throws <see cref="IOException"/> when a folder is in the way, or a different file is and --overwrite was not given.
        /// </summary>
        private async Task<LocalCopy?> FindPresentAsync(StoredObject listed, string target, CancellationToken cancellationToken)
        {
            if (Directory.Exists(target))
            {
                throw new IOException($"a folder is in the way at {target}");
            }

            if (!File.Exists(target))
            {
                return null;
            }

            if (await engine.IsSameAsync(request.Store, listed, target, cancellationToken).ConfigureAwait(false) is { } present)
            {
                return present;
            }

            return options.Overwrite ? null : throw new IOException($"{target} exists and differs from the object; use --overwrite to replace it");
        }

        /// <summary>Fetches into a temporary name beside the target, verified, then renames it into place and journals it.</summary>
        private async Task<FetchedObject> FetchAsync(StoredObject listed, string target, CancellationToken cancellationToken)
        {
            var folder = Path.GetDirectoryName(target)!;
            if (_createdFolders.TryAdd(folder, 0))
            {
                Directory.CreateDirectory(folder);
            }

            var temporary = Path.Combine(folder, TemporaryFilePrefix + ContentHashes.Sha256Hex(System.Text.Encoding.UTF8.GetBytes(listed.Key))[..24]);
            FetchedObject fetched;
            try
            {
                fetched = await _fetcher!.FetchAsync(listed, temporary, null, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException && listed.Size <= options.RangeThreshold)
            {
                File.Delete(temporary);
                throw;
            }

            File.Move(temporary, target, overwrite: true);
            if (listed.LastModified > DateTimeOffset.UnixEpoch)
            {
                File.SetLastWriteTimeUtc(target, listed.LastModified.UtcDateTime);
            }

            if (listed.Size > options.RangeThreshold)
            {
                Journal?.DeletePartialDownload(request.Store.Identity, listed.Key);
            }

            if (_writer is not null)
            {
                // Batched: a download the journal misses after a crash is recognised by its checksum instead.
                await _writer.PostAsync(new JournalDownload(request.Store.Identity, listed.Key, listed.ETag, listed.Size, target, new FileInfo(target).LastWriteTimeUtc.Ticks, fetched.Sha256, Time.GetUtcNow()), CancellationToken.None).ConfigureAwait(false);
            }

            return fetched;
        }

        private void Report(FileEvent fileEvent)
        {
            if (fileEvent.Outcome == FileOutcomes.Failed && _failures.Count < TransferSummary.MaximumFailuresListed)
            {
                _failures.Enqueue(fileEvent);
            }

            observer?.OnFileEvent(fileEvent);
        }

        private async Task RecordAsync(FileEvent fileEvent)
        {
            Report(fileEvent);
            if (_writer is not null)
            {
                await _writer.PostAsync(new SessionFileRecord(_sessionId, fileEvent.Path, fileEvent.Key, fileEvent.Size, fileEvent.Sha256, fileEvent.ETag, fileEvent.Outcome, fileEvent.Reason, fileEvent.At), CancellationToken.None).ConfigureAwait(false);
            }
        }
    }

    /// <summary>A local file that holds an object's bytes: its SHA-256 ("" when unknown) and whether the journal alone proved it.</summary>
    private readonly record struct LocalCopy(string Sha256, bool ProvenByJournal);

    /// <summary>The existing file when it already holds the object's bytes, else null.</summary>
    private async Task<LocalCopy?> IsSameAsync(IObjectStore store, StoredObject listed, string target, CancellationToken cancellationToken)
    {
        var info = new FileInfo(target);
        if (info.Length != listed.Size)
        {
            return null;
        }

        var known = _journal?.FindDownload(store.Identity, listed.Key);
        if (known is not null && known.ETag == listed.ETag && known.Size == listed.Size && known.LocalPath == target && known.MtimeTicks == info.LastWriteTimeUtc.Ticks)
        {
            return new LocalCopy(known.Sha256 ?? "", ProvenByJournal: true);
        }

        var (sha256, md5) = await ContentHashes.HashFileAsync(target, cancellationToken).ConfigureAwait(false);
        var confirmed = await ContentComparison.ConfirmAsync(listed, info.Length, sha256, md5, ct => store.HeadAsync(listed.Key, ct), cancellationToken).ConfigureAwait(false);
        return confirmed is null ? null : new LocalCopy(sha256, ProvenByJournal: false);
    }

    /// <summary>Why a key's relative part cannot name a file under the destination, or null.</summary>
    internal static string? LocalPathProblem(string relative)
    {
        if (ObjectKey.FindProblem(relative) is { } problem)
        {
            return $"key cannot be a local path: {problem}";
        }

        // On Linux and macOS '\\' is an ordinary character of a file name (a\\b.wav round-trips); on Windows it separates folders.
        if (relative.Contains('\0', StringComparison.Ordinal) || OperatingSystem.IsWindows() && relative.Contains('\\', StringComparison.Ordinal))
        {
            return OperatingSystem.IsWindows() ? "key cannot be a local path: it contains '\\' or NUL" : "key cannot be a local path: it contains NUL";
        }

        return relative.Split('/').Any(s => s.StartsWith(TemporaryFilePrefix, StringComparison.Ordinal) || System.Text.Encoding.UTF8.GetByteCount(s) > 255)
            ? "key cannot be a local path: a name is longer than 255 bytes or reserved"
            : null;
    }
}
