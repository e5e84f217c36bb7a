using System.Collections.Concurrent;
using System.Diagnostics;
using System.Threading.Channels;
using Ferry.Core.Duplicates;
using Ferry.Core.Journal;
using Ferry.Core.Manifests;
using Ferry.Core.Storage;

namespace Ferry.Core.Transfer;

/// <summary>
/// Uploads a folder: a listing of the destination prefix, a lazy scan of the source, a planner that skips what the
/// journal and the listing prove is there, and N workers that upload, verify, record and (optionally) move each file.
/// The listing is one flat listing loaded first, or, for a local folder, that folder read beside the scan in the
/// scan's order (<see cref="DestinationCursor"/>). Memory stays bounded: the flat listing and the journal live in
/// SQLite, the scans stream, and request buffers come from one memory budget.
/// </summary>
/// <param name="journal">Where runs are recorded; null for a dry run or an unrecorded run (then nothing is skipped by journal).</param>
public sealed class UploadEngine(TransferJournal? journal, TimeProvider? time = null)
{
    private readonly TransferJournal? _journal = journal;
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    /// <summary>
    /// Runs one upload. Throws <see cref="ArgumentException"/> for invalid options and
    /// <see cref="DirectoryNotFoundException"/> for a missing source; everything that happens to
    /// files or the store is reported in the summary, not thrown.
    /// </summary>
    public async Task<TransferSummary> RunAsync(UploadRequest request, UploadOptions options, TransferProgress progress, ITransferObserver? observer, CancellationToken cancellationToken)
    {
        options.Validate();
        if (!Directory.Exists(request.Source))
        {
            throw new DirectoryNotFoundException($"the source folder {Path.GetFullPath(request.Source)} does not exist");
        }

        var run = new Run(this, request, options, progress, observer);
        return await run.ExecuteAsync(cancellationToken).ConfigureAwait(false);
    }

    private sealed record WorkItem(SourceFile File, string Key, long? RemoteSize, string? RemoteETag, VerifiedUpload? Known = null);

    /// <summary>A file whose copy is verified, on its way to the journal, the manifest and the move.</summary>
    private sealed record VerifiedFile(SourceFile File, string Key, VerifiedUpload Verified, string Outcome, DateTimeOffset UploadedAt, bool AlreadyJournaled, string? DuplicateOf);

    /// <summary>The state of one run.</summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA1001", Justification = "One Run per call: ExecuteAsync disposes these fields in its finally block.")]
    private sealed class Run
    {
        private readonly UploadEngine _engine;
        private readonly UploadRequest _request;
        private readonly UploadOptions _options;
        private readonly TransferProgress _progress;
        private readonly ITransferObserver? _observer;
        private readonly ConcurrentQueue<FileEvent> _failures = new();
        private readonly ConcurrentDictionary<string, long> _skippedReasons = new();
        private readonly ConcurrentQueue<FileEvent> _pendingSkips = new();
        private readonly VerifiedMove _move;

        /// <summary>The destination's flat listing, held whole, for a store that cannot list in the scan's order.</summary>
        private RemoteListing? _listing;

        /// <summary>The destination read beside the scan, for a store that lists in the scan's order.</summary>
        private DestinationCursor? _cursor;

        private readonly bool _record;
        private JournalWriter? _journalWriter;
        private ManifestWriter? _manifest;
        private FileUploader? _uploader;
        private DuplicateCheck? _duplicates;
        private DurabilityBatcher<VerifiedFile>? _durability;
        private long _sessionId;
        private StoreException? _fatal;
        private CancellationTokenSource? _abort;

        public Run(UploadEngine engine, UploadRequest request, UploadOptions options, TransferProgress progress, ITransferObserver? observer)
        {
            _engine = engine;
            _request = request;
            _options = options;
            _progress = progress;
            _observer = observer;
            _move = new VerifiedMove(options.Move, options.ArchiveTo);
            _record = !options.DryRun && engine._journal is not null;
        }

        private TransferJournal? Journal => _engine._journal;

        public async Task<TransferSummary> ExecuteAsync(CancellationToken cancellationToken)
        {
            var clock = Stopwatch.StartNew();
            var store = _request.Store;
            var source = Path.GetFullPath(_request.Source);
            var destination = store.Description + "/" + _request.Prefix;
            if (_record)
            {
                _sessionId = Journal!.StartSession("upload", source, destination.TrimEnd('/'), _engine._time.GetUtcNow());
                _journalWriter = new JournalWriter(Journal);
            }

            if (_options.ManifestPath is not null && !_options.DryRun)
            {
                _manifest = new ManifestWriter(_options.ManifestPath);
            }

            using var abort = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            _abort = abort;
            // A cap above the start makes it adaptive (down to one under congestion); otherwise it is fixed.
            var adaptive = _options.ConcurrencyCap > _options.Concurrency;
            var concurrency = new ConcurrencyController(_options.Concurrency, adaptive ? 1 : _options.Concurrency, _options.ConcurrencyCap);
            concurrency.LimitChanged = limit => _progress.SetConcurrency(limit, concurrency.Backoffs);
            _progress.SetConcurrency(concurrency.Limit, 0);
            var retry = RetryPolicy.Create(_options.Retries, _options.RetryBaseDelay, _progress, _observer, concurrency);
            var buffers = new RequestBuffers(_options);
            // The content index: the store's own (a server session) or the journal's; a dry run hashes nothing.
            var index = _options.DryRun ? null : store as IContentIndex ?? (Journal is { } journal ? new JournalContentIndex(journal, store) : null);
            _duplicates = index is null ? null : new DuplicateCheck(index, _options.SkipDuplicates);
            // A local folder flushes once per batch of files, before they are journaled or moved, not once per file.
            if (!_options.DryRun && store is IDurabilityBarrier { CanDeferDurability: true } barrier)
            {
                _durability = new DurabilityBatcher<VerifiedFile>(barrier, FinishDurableAsync);
            }

            _uploader = new FileUploader(new UploadContext(store, _options, new MemoryBudget(_options.MemoryBudget), buffers, retry, _progress, _options.DryRun ? null : Journal, _engine._time, _duplicates,
                DeferDurability: _durability is not null));

            string? message = null;
            try
            {
                if (store is IScanOrderListingObjectStore ordered)
                {
                    _cursor = new DestinationCursor(ordered.ListInScanOrderAsync(FolderKey(_request.Prefix), abort.Token), abort.Token);
                }
                else
                {
                    _listing = new RemoteListing();
                    await _listing.LoadAsync(store.ListAsync(_request.Prefix, abort.Token), abort.Token).ConfigureAwait(false);
                }

                var work = Channel.CreateBounded<WorkItem>(new BoundedChannelOptions(concurrency.Maximum * 2) { SingleWriter = true });
                var workers = Enumerable.Range(0, concurrency.Maximum).Select(_ => Task.Run(() => WorkAsync(work.Reader, concurrency, abort.Token), CancellationToken.None)).ToArray();
                using var windows = CancellationTokenSource.CreateLinkedTokenSource(abort.Token);
                var adjusting = Task.Run(() => concurrency.RunWindowsAsync(_engine._time, windows.Token), CancellationToken.None);
                try
                {
                    await PlanAsync(source, work.Writer, abort.Token).ConfigureAwait(false);
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
                        if (_durability is not null)
                        {
                            await _durability.CompleteAsync().ConfigureAwait(false);
                        }
                    }
                }

                abort.Token.ThrowIfCancellationRequested();
                if (_manifest is not null)
                {
                    var path = await _manifest.CompleteAsync().ConfigureAwait(false);
                    if (_options.ManifestKey is { } manifestKey)
                    {
                        await UploadManifestAsync(path, manifestKey, abort.Token).ConfigureAwait(false);
                    }
                }
            }
            catch (OperationCanceledException) when (_fatal is not null || cancellationToken.IsCancellationRequested)
            {
                message = _fatal?.Message ?? "interrupted; run the same command again to resume";
            }
            catch (StoreException ex) when (ex.IsFatalForRun || ex.Kind == StoreErrorKind.Unreachable || ex == _fatal)
            {
                _fatal = ex;
                message = ex.Message;
            }
            finally
            {
                try
                {
                    _listing?.Dispose();
                    if (_cursor is not null)
                    {
                        await _cursor.DisposeAsync().ConfigureAwait(false);
                    }
                }
                finally
                {
                    if (_journalWriter is not null)
                    {
                        await _journalWriter.CompleteAsync().ConfigureAwait(false);
                    }
                }

                if (_manifest is not null)
                {
                    await _manifest.DisposeAsync().ConfigureAwait(false);
                }
            }

            clock.Stop();
            return TransferSummary.Conclude(_sessionId, _fatal, message, cancellationToken.IsCancellationRequested, _progress.Snapshot(), clock.Elapsed,
                _failures.ToArray(), new Dictionary<string, long>(_skippedReasons), _record ? Journal : null, _engine._time.GetUtcNow());
        }

        /// <summary>Scans the source and decides per file; the cheap "already there" case never reaches a worker.</summary>
        private async Task PlanAsync(string source, ChannelWriter<WorkItem> work, CancellationToken cancellationToken)
        {
            var archive = _options.ArchiveTo is null ? null : Path.GetFullPath(_options.ArchiveTo);
            var scanner = new SourceScanner(source, new ScanOptions
            {
                Filter = _options.Filter,
                FollowSymlinks = _options.FollowSymlinks,
                KeyPrefix = _request.Prefix,
                ExcludedPath = archive,
                OnSkipped = OnSkipped,
            });
            var identity = _request.Store.Identity;
            var listedKeys = new List<string>();
            await foreach (var files in scanner.ScanBatchesAsync(cancellationToken).ConfigureAwait(false))
            {
                var keys = new string[files.Count];
                var remotes = new (long Size, string? ETag)?[files.Count];
                listedKeys.Clear();
                for (var i = 0; i < files.Count; i++)
                {
                    keys[i] = ObjectKey.Join(_request.Prefix, files[i].RelativePath);
                    remotes[i] = await FindListedAsync(keys[i]).ConfigureAwait(false);
                    if (remotes[i] is not null)
                    {
                        listedKeys.Add(keys[i]);
                    }
                }

                // Only what the destination lists can be "already there"; its journal records are read together.
                var records = Journal is null ? [] : Journal.FindObjects(identity, listedKeys);
                var nextRecord = 0;
                for (var i = 0; i < files.Count; i++)
                {
                    // Found as it is decided: a destination that fails to list mid-batch leaves no file found and undecided.
                    _progress.AddFound(files[i].Size);
                    var known = remotes[i] is null || Journal is null ? null : records[nextRecord++];
                    await PlanFileAsync(work, files[i], keys[i], remotes[i], known, cancellationToken).ConfigureAwait(false);
                }

                await RecordSkippedAsync(cancellationToken).ConfigureAwait(false);
            }

            await RecordSkippedAsync(cancellationToken).ConfigureAwait(false);

            _progress.MarkScanComplete();
        }

        /// <summary>
        /// Decides one scanned file: unchanged since Ferry verified it (<paramref name="known"/>) and still there as verified
        /// (<paramref name="remote"/>) it is done here, else it goes to the workers.
        /// </summary>
        private async Task PlanFileAsync(ChannelWriter<WorkItem> work, SourceFile file, string key, (long Size, string? ETag)? remote, JournalObject? known, CancellationToken cancellationToken)
        {
            if (remote is { } listed && known is not null
                && known.SourcePath == file.FullPath && known.Size == file.Size && known.MtimeTicks == file.LastWriteTicks
                && listed.Size == known.Size && string.Equals(listed.ETag, known.ETag, StringComparison.Ordinal))
            {
                var verified = new VerifiedUpload(known.Sha256, known.Md5, known.ETag, known.Size, known.MtimeTicks);
                if (_move.IsEnabled)
                {
                    // Moving touches the disk: leave it to the workers.
                    await work.WriteAsync(new WorkItem(file, key, listed.Size, listed.ETag, verified), cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    await CompleteAsync(file, key, verified, FileOutcomes.Present, known.VerifiedAt, cancellationToken, alreadyJournaled: true).ConfigureAwait(false);
                }

                return;
            }

            if (_options.OnPlanned is { } planned)
            {
                await planned(file, cancellationToken).ConfigureAwait(false);
            }

            await work.WriteAsync(new WorkItem(file, key, remote?.Size, remote?.ETag), cancellationToken).ConfigureAwait(false);
        }

        /// <summary>The destination's listed size and ETag for <paramref name="key"/>, or null when it was not listed.</summary>
        private async ValueTask<(long Size, string? ETag)?> FindListedAsync(string key)
        {
            if (_cursor is null)
            {
                return _listing!.Find(key);
            }

            try
            {
                return await _cursor.FindAsync(key).ConfigureAwait(false) is { } listed ? (listed.Size, listed.ETag) : null;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // The destination's walk failed, so nothing more can be compared with it: the run stops as it does on a
                // fatal store error, its files so far accounted for and its session finished.
                _fatal ??= new StoreException(ex is UnauthorizedAccessException ? StoreErrorKind.AccessDenied : StoreErrorKind.Other,
                    $"the destination {_request.Store.Description} could not be read: {ex.Message}", ex);
                throw _fatal;
            }
        }

        /// <summary>The folder a prefix puts keys in: <see cref="ObjectKey.Join"/> adds the '/' that ends it.</summary>
        private static string FolderKey(string prefix) => prefix.EndsWith('/') ? prefix[..^1] : prefix;

        private void OnSkipped(SkippedEntry entry)
        {
            _progress.AddSkipped();
            var category = entry.Reason.Split(':', '(')[0].Trim();
            _skippedReasons.AddOrUpdate(category, 1, (_, n) => n + 1);
            _pendingSkips.Enqueue(new FileEvent(FileOutcomes.Skipped, entry.RelativePath, null, 0, null, null, entry.Reason, _engine._time.GetUtcNow()));
        }

        /// <summary>Reports and journals the entries the scanner skipped since the last call (the scanner's callback cannot wait).</summary>
        private async Task RecordSkippedAsync(CancellationToken cancellationToken)
        {
            while (_pendingSkips.TryDequeue(out var skipped))
            {
                if (_journalWriter is not null)
                {
                    await _journalWriter.PostAsync(new SessionFileRecord(_sessionId, skipped.Path, null, null, null, null, FileOutcomes.Skipped, skipped.Reason, skipped.At), cancellationToken).ConfigureAwait(false);
                }

                Report(skipped);
            }
        }

        /// <summary>Waits for work, then for a slot under the concurrency limit, then does one file.</summary>
        private async Task WorkAsync(ChannelReader<WorkItem> work, ConcurrencyController concurrency, CancellationToken cancellationToken)
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

                    var done = false;
                    try
                    {
                        done = await ProcessAsync(item, cancellationToken).ConfigureAwait(false);
                    }
                    finally
                    {
                        concurrency.Release(done ? 1 : 0, done ? item.File.Size : 0);
                    }
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // A worker that dies must not leave the planner waiting on a full queue.
                await _abort!.CancelAsync().ConfigureAwait(false);
                throw;
            }
        }

        /// <summary>Does one file; true when it was uploaded (a request that counts towards throughput).</summary>
        private async Task<bool> ProcessAsync(WorkItem item, CancellationToken cancellationToken)
        {
            var file = item.File;
            try
            {
                if (item.Known is { } known)
                {
                    await CompleteAsync(file, item.Key, known, FileOutcomes.Present, _engine._time.GetUtcNow(), cancellationToken, alreadyJournaled: true).ConfigureAwait(false);
                    return false;
                }

                if (item.RemoteSize is { } remoteSize
                    && await _uploader!.FindExistingAsync(file, item.Key, remoteSize, item.RemoteETag, cancellationToken).ConfigureAwait(false) is { } existing)
                {
                    await CompleteAsync(file, item.Key, existing, FileOutcomes.Present, _engine._time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
                    return false;
                }

                if (_options.DryRun)
                {
                    Report(new FileEvent(FileEvent.WouldUpload, file.RelativePath, item.Key, file.Size, null, null, null, _engine._time.GetUtcNow()));
                    return false;
                }

                var verified = await _uploader!.UploadAsync(file, item.Key, cancellationToken).ConfigureAwait(false);
                await CompleteAsync(file, item.Key, verified, FileOutcomes.Uploaded, _engine._time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
                return true;
            }
            catch (DuplicateContentException duplicate)
            {
                await RecordDuplicateAsync(file, item.Key, duplicate, cancellationToken).ConfigureAwait(false);
                return false;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                throw;
            }
            catch (StoreException ex) when (ex.IsFatalForRun || ex.Kind == StoreErrorKind.Unreachable || ex == _fatal)
            {
                _fatal ??= ex;
                await _abort!.CancelAsync().ConfigureAwait(false);
                throw new OperationCanceledException(ex.Message, ex, cancellationToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                await FailAsync(file, item.Key, Describe(ex), cancellationToken).ConfigureAwait(false);
                return false;
            }
        }

        /// <summary>
        /// Records a verified file (uploaded or present), writes its manifest line, and moves it when asked; where the
        /// destination flushes in batches, once a flush covers it (a file the journal already holds needs none).
        /// </summary>
        /// <param name="alreadyJournaled">True when the journal already holds exactly this verified state (a rerun's skip).</param>
        private async Task CompleteAsync(SourceFile file, string key, VerifiedUpload verified, string outcome, DateTimeOffset uploadedAt, CancellationToken cancellationToken, bool alreadyJournaled = false)
        {
            // Uploaded although the destination held the same bytes elsewhere (no --skip-duplicates): the record names the copy.
            var duplicateOf = outcome == FileOutcomes.Uploaded && _duplicates?.Take(key) is { } copy ? DuplicateReason(copy) : null;
            var done = new VerifiedFile(file, key, verified, outcome, uploadedAt, alreadyJournaled, duplicateOf);
            if (_durability is not null && !alreadyJournaled)
            {
                await _durability.AddAsync(done, cancellationToken).ConfigureAwait(false);
                return;
            }

            await FinishAsync(done, cancellationToken).ConfigureAwait(false);
        }

        /// <summary>
        /// Finishes a batch the destination has flushed; when the flush failed, none of it is durable and each file fails.
        /// A file whose finishing throws (a full disk under the manifest) fails alone; once the run is aborted the rest
        /// are left unrecorded and unmoved, and the next run finds their copies.
        /// </summary>
        private async Task FinishDurableAsync(IReadOnlyList<VerifiedFile> batch, Exception? failure)
        {
            var aborted = _abort!.Token;
            foreach (var done in batch)
            {
                if (aborted.IsCancellationRequested)
                {
                    return;
                }

                try
                {
                    if (failure is not null)
                    {
                        await FailAsync(done.File, done.Key, "written but not confirmed on disk: " + failure.Message, aborted).ConfigureAwait(false);
                        continue;
                    }

                    try
                    {
                        await FinishAsync(done, aborted).ConfigureAwait(false);
                    }
                    catch (Exception ex) when (ex is not OperationCanceledException)
                    {
                        await FailAsync(done.File, done.Key, Describe(ex), aborted).ConfigureAwait(false);
                    }
                }
                catch (OperationCanceledException) when (aborted.IsCancellationRequested)
                {
                    return;
                }
            }
        }

        private async Task FinishAsync(VerifiedFile done, CancellationToken cancellationToken)
        {
            var (file, key, verified, outcome, uploadedAt, alreadyJournaled, duplicateOf) = done;
            var now = _engine._time.GetUtcNow();
            if (outcome == FileOutcomes.Uploaded)
            {
                _progress.AddTransferred(verified.Size);
            }
            else
            {
                _progress.AddPresent(verified.Size);
            }

            if (_journalWriter is not null)
            {
                if (!alreadyJournaled)
                {
                    await _journalWriter.PostAsync(new JournalObject(_request.Store.Identity, key, file.FullPath, verified.Size, verified.MtimeTicks,
                        verified.Sha256, verified.Md5, verified.ETag, now), cancellationToken).ConfigureAwait(false);
                }

                // A file the journal already proves unchanged and present is counted in the session, not given a row of its own:
                // a rerun with nothing to do would otherwise add a row per file, every run (docs/cli.md, "ferry sessions").
                // One moved now keeps its row beside its move's: the file leaves the source, so this happens once.
                if (!alreadyJournaled || _move.IsEnabled)
                {
                    await _journalWriter.PostAsync(new SessionFileRecord(_sessionId, file.RelativePath, key, verified.Size, verified.Sha256, verified.ETag, outcome, duplicateOf, now), cancellationToken).ConfigureAwait(false);
                }
            }

            _manifest?.Add(new ManifestEntry(key, verified.Size, verified.Sha256, verified.ETag, file.RelativePath, new DateTimeOffset(verified.MtimeTicks, TimeSpan.Zero), uploadedAt, now, outcome));
            Report(new FileEvent(outcome, file.RelativePath, key, verified.Size, verified.Sha256, verified.ETag, duplicateOf, now));

            if (_move.IsEnabled && !_options.DryRun)
            {
                try
                {
                    var moved = _move.Apply(file, verified);
                    _progress.AddMoved();
                    if (_journalWriter is not null)
                    {
                        await _journalWriter.PostAsync(new SessionFileRecord(_sessionId, file.RelativePath, key, verified.Size, verified.Sha256, verified.ETag, moved, _options.ArchiveTo, now), cancellationToken).ConfigureAwait(false);
                    }

                    Report(new FileEvent(moved, file.RelativePath, key, verified.Size, verified.Sha256, verified.ETag, null, now));
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    await FailAsync(file, key, ex.Message, cancellationToken).ConfigureAwait(false);
                }
            }
        }

        /// <summary>
        /// Records a file not uploaded because the destination holds its bytes under another key (--skip-duplicates):
        /// counted as skipped (reason "duplicate"), journaled with the copy's key; never moved or archived, since its
        /// own key holds nothing.
        /// </summary>
        private async Task RecordDuplicateAsync(SourceFile file, string key, DuplicateContentException duplicate, CancellationToken cancellationToken)
        {
            _progress.AddSkipped();
            _skippedReasons.AddOrUpdate(FileOutcomes.Duplicate, 1, (_, n) => n + 1);
            var at = _engine._time.GetUtcNow();
            var reason = DuplicateReason(duplicate.DuplicateOf);
            if (_journalWriter is not null)
            {
                await _journalWriter.PostAsync(new SessionFileRecord(_sessionId, file.RelativePath, key, duplicate.Size, duplicate.Sha256, null, FileOutcomes.Duplicate, reason, at), cancellationToken).ConfigureAwait(false);
            }

            Report(new FileEvent(FileOutcomes.Duplicate, file.RelativePath, key, duplicate.Size, duplicate.Sha256, null, reason, at));
        }

        /// <summary>The reason recorded for a duplicate: "duplicate of KEY" (docs/cli.md).</summary>
        private static string DuplicateReason(string copy) => "duplicate of " + copy;

        private async Task FailAsync(SourceFile file, string key, string reason, CancellationToken cancellationToken)
        {
            _progress.AddFailed(file.Size);
            var failure = new FileEvent(FileOutcomes.Failed, file.RelativePath, key, file.Size, null, null, reason, _engine._time.GetUtcNow());
            if (_failures.Count < TransferSummary.MaximumFailuresListed)
            {
                _failures.Enqueue(failure);
            }

            if (_journalWriter is not null)
            {
                await _journalWriter.PostAsync(new SessionFileRecord(_sessionId, file.RelativePath, key, file.Size, null, null, FileOutcomes.Failed, reason, failure.At), cancellationToken).ConfigureAwait(false);
            }

            Report(failure);
        }

        private void Report(FileEvent fileEvent) => _observer?.OnFileEvent(fileEvent);

        private async Task UploadManifestAsync(string path, string key, CancellationToken cancellationToken)
        {
            var info = new FileInfo(path);
            var manifestFile = new SourceFile(info.Name, info.FullName, info.Length, info.LastWriteTimeUtc.Ticks);
            await _uploader!.UploadAsync(manifestFile, key, cancellationToken).ConfigureAwait(false);
            if (_request.Store is IDurabilityBarrier barrier && _durability is not null)
            {
                await barrier.MakeDurableAsync(cancellationToken).ConfigureAwait(false);
            }
        }

        private static string Describe(Exception ex) => ex switch
        {
            FileNotFoundException or DirectoryNotFoundException => "the file disappeared before it was uploaded",
            UnauthorizedAccessException => "cannot read the file: permission denied",
            SourceChangedException => "the file kept changing while it was read; upload it again once it is complete",
            _ => ex.Message,
        };
    }
}
