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
public sealed class DownloadEngine
{
    /// <summary>Name prefix of temporary files; they never take a final name before verification.</summary>
    public const string TemporaryFilePrefix = ".ferry-partial-";

    private readonly TransferJournal? _journal;
    private readonly TimeProvider _time;

    public DownloadEngine(TransferJournal? journal, TimeProvider? time = null)
    {
        _journal = journal;
        _time = time ?? TimeProvider.System;
    }

    /// <summary>Runs one download; throws <see cref="ArgumentException"/> for invalid options and <see cref="IOException"/> when the destination is a file.</summary>
    public async Task<TransferSummary> RunAsync(DownloadRequest request, DownloadOptions options, TransferProgress progress, ITransferObserver? observer, CancellationToken cancellationToken)
    {
        options.Validate();
        var destination = Path.GetFullPath(request.Destination);
        if (File.Exists(destination))
        {
            throw new IOException($"the destination {destination} is a file; give a folder");
        }

        var clock = Stopwatch.StartNew();
        var record = !options.DryRun && _journal is not null;
        var sessionId = record ? _journal!.StartSession("download", request.Store.Description + "/" + request.Prefix, destination, _time.GetUtcNow()) : 0;
        var failures = new ConcurrentQueue<FileEvent>();
        var skipped = new ConcurrentDictionary<string, long>();
        var createdFolders = new ConcurrentDictionary<string, byte>(StringComparer.Ordinal);
        StoreException? fatal = null;
        using var abort = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var retry = RetryPolicy.Create(options.Retries, options.RetryBaseDelay, progress, observer);
        var fetcher = new ObjectFetcher(request.Store, retry, progress, options.DryRun ? null : _journal, options.ChunkSize, options.RangeThreshold, options.ChunkConcurrency, options.Fsync);
        JournalWriter? writer = record ? new JournalWriter(_journal!) : null;

        void Report(FileEvent e)
        {
            if (e.Outcome == FileOutcomes.Failed && failures.Count < TransferSummary.MaximumFailuresListed)
            {
                failures.Enqueue(e);
            }

            observer?.OnFileEvent(e);
        }

        async Task RecordAsync(FileEvent e)
        {
            Report(e);
            if (writer is not null)
            {
                await writer.PostAsync(new SessionFileRecord(sessionId, e.Path, e.Key, e.Size, e.Sha256, e.ETag, e.Outcome, e.Reason, e.At), CancellationToken.None).ConfigureAwait(false);
            }
        }

        async Task ProcessAsync(StoredObject listed, string relative, CancellationToken ct)
        {
            var target = Path.Combine([destination, .. relative.Split('/')]);
            var now = _time.GetUtcNow();
            try
            {
                if (Directory.Exists(target))
                {
                    throw new IOException($"a folder is in the way at {target}");
                }

                if (File.Exists(target))
                {
                    if (await IsSameAsync(request.Store, listed, target, ct).ConfigureAwait(false) is { } present)
                    {
                        progress.AddPresent(listed.Size);
                        await RecordAsync(new FileEvent(FileOutcomes.Present, relative, listed.Key, listed.Size, present, listed.ETag, null, now)).ConfigureAwait(false);
                        return;
                    }

                    if (!options.Overwrite)
                    {
                        throw new IOException($"{target} exists and differs from the object; use --overwrite to replace it");
                    }
                }

                if (options.DryRun)
                {
                    Report(new FileEvent(FileEvent.WouldDownload, relative, listed.Key, listed.Size, null, listed.ETag, null, now));
                    return;
                }

                var folder = Path.GetDirectoryName(target)!;
                if (createdFolders.TryAdd(folder, 0))
                {
                    Directory.CreateDirectory(folder);
                }

                var temporary = Path.Combine(folder, TemporaryFilePrefix + ContentHashes.Sha256Hex(System.Text.Encoding.UTF8.GetBytes(listed.Key))[..24]);
                FetchedObject fetched;
                try
                {
                    fetched = await fetcher.FetchAsync(listed, temporary, null, ct).ConfigureAwait(false);
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
                    _journal?.DeletePartialDownload(request.Store.Identity, listed.Key);
                }

                if (writer is not null)
                {
                    // Batched: a download the journal misses after a crash is recognised by its checksum instead.
                    await writer.PostAsync(new JournalDownload(request.Store.Identity, listed.Key, listed.ETag, listed.Size, target, new FileInfo(target).LastWriteTimeUtc.Ticks, fetched.Sha256, _time.GetUtcNow()), CancellationToken.None).ConfigureAwait(false);
                }
                progress.AddTransferred(listed.Size);
                await RecordAsync(new FileEvent(FileOutcomes.Downloaded, relative, listed.Key, listed.Size, fetched.Sha256, listed.ETag,
                    fetched.ChecksumVerified ? null : "size checked; the store keeps no checksum for this object", _time.GetUtcNow())).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                throw;
            }
            catch (IOException ex) when (LocalDiskErrors.IsDiskFull(ex))
            {
                fatal ??= new StoreException(StoreErrorKind.LocalStorage, $"no space left on the device holding {destination}; free some space and run again (finished files are kept, partial ones resume)", ex);
                await abort.CancelAsync().ConfigureAwait(false);
                throw new OperationCanceledException(fatal.Message, ex, ct);
            }
            catch (StoreException ex) when (ex.IsFatalForRun || ex.Kind == StoreErrorKind.Unreachable)
            {
                fatal ??= ex;
                await abort.CancelAsync().ConfigureAwait(false);
                throw new OperationCanceledException(ex.Message, ex, ct);
            }
            catch (Exception ex)
            {
                progress.AddFailed(listed.Size);
                await RecordAsync(new FileEvent(FileOutcomes.Failed, relative, listed.Key, listed.Size, null, listed.ETag, ex.Message, _time.GetUtcNow())).ConfigureAwait(false);
            }
        }

        string? message = null;
        try
        {
            var work = Channel.CreateBounded<(StoredObject, string)>(options.Concurrency * 4);
            var workers = Enumerable.Range(0, options.Concurrency).Select(_ => Task.Run(async () =>
            {
                try
                {
                    await foreach (var (listed, relative) in work.Reader.ReadAllAsync(abort.Token).ConfigureAwait(false))
                    {
                        await ProcessAsync(listed, relative, abort.Token).ConfigureAwait(false);
                    }
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    await abort.CancelAsync().ConfigureAwait(false);
                    throw;
                }
            }, CancellationToken.None)).ToArray();
            try
            {
                await foreach (var listed in request.Store.ListAsync(request.Prefix, abort.Token).ConfigureAwait(false))
                {
                    var relative = listed.Key[request.Prefix.Length..];
                    if (relative.Length == 0 || relative.EndsWith('/'))
                    {
                        continue; // folder markers carry no file
                    }

                    if (LocalPathProblem(relative) is { } problem)
                    {
                        // An object that cannot be written here is a failure of the run (exit 1), not a skip: the copy is incomplete.
                        progress.AddFailed(listed.Size);
                        await RecordAsync(new FileEvent(FileOutcomes.Failed, relative, listed.Key, listed.Size, null, listed.ETag, problem, _time.GetUtcNow())).ConfigureAwait(false);
                        continue;
                    }

                    if (!options.Filter.Matches(relative))
                    {
                        continue;
                    }

                    progress.AddFound(listed.Size);
                    await work.Writer.WriteAsync((listed, relative), abort.Token).ConfigureAwait(false);
                }

                progress.MarkScanComplete();
            }
            finally
            {
                work.Writer.TryComplete();
                await Task.WhenAll(workers).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (fatal is not null || cancellationToken.IsCancellationRequested)
        {
            message = fatal?.Message ?? "interrupted; run the same command again to resume";
        }
        catch (StoreException ex) when (ex.IsFatalForRun || ex.Kind == StoreErrorKind.Unreachable)
        {
            fatal = ex;
            message = ex.Message;
        }
        finally
        {
            if (writer is not null)
            {
                await writer.CompleteAsync().ConfigureAwait(false);
            }
        }

        clock.Stop();
        return TransferSummary.Conclude(sessionId, fatal, message, cancellationToken.IsCancellationRequested, progress.Snapshot(), clock.Elapsed,
            failures.ToArray(), new Dictionary<string, long>(skipped), record ? _journal : null, _time.GetUtcNow());
    }

    /// <summary>The local SHA-256 when the existing file already holds the object's bytes, else null.</summary>
    private async Task<string?> IsSameAsync(IObjectStore store, StoredObject listed, string target, CancellationToken cancellationToken)
    {
        var info = new FileInfo(target);
        if (info.Length != listed.Size)
        {
            return null;
        }

        var known = _journal?.FindDownload(store.Identity, listed.Key);
        if (known is not null && known.ETag == listed.ETag && known.Size == listed.Size && known.LocalPath == target && known.MtimeTicks == info.LastWriteTimeUtc.Ticks)
        {
            return known.Sha256 ?? "";
        }

        var (sha256, md5) = await ContentHashes.HashFileAsync(target, cancellationToken).ConfigureAwait(false);
        var confirmed = await ContentComparison.ConfirmAsync(listed, info.Length, sha256, md5, ct => store.HeadAsync(listed.Key, ct), cancellationToken).ConfigureAwait(false);
        return confirmed is null ? null : sha256;
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
