using System.Buffers;
using System.Security.Cryptography;
using Ferry.Core.Journal;
using Ferry.Core.Storage;
using Polly;

namespace Ferry.Core.Transfer;

/// <summary>
/// Fetches one object into a temporary file and verifies it before anyone may use it: the size must
/// be the listed size, and the SHA-256 must equal the expected one (from a manifest, else the
/// object's metadata), or the MD5 must equal an MD5 ETag. Objects above the range threshold are
/// fetched as parallel ranged GETs written at their offsets; each finished chunk is flushed and
/// recorded in the journal, so a rerun after a crash fetches only the missing chunks (a chunk lost
/// to a power cut despite its record fails the final checksum and the object is fetched again). A mismatch is
/// fetched once more from scratch and then reported as corrupt; the caller renames only verified files.
/// </summary>
/// <param name="durable">Flush every file and chunk to disk before it counts as written (survives power loss, costs an fsync each).</param>
internal sealed class ObjectFetcher(IObjectStore store, ResiliencePipeline retry, TransferProgress progress, TransferJournal? journal, long chunkSize, long rangeThreshold, int chunkParallelism, bool durable)
{
    private const int CopyBufferSize = 256 * 1024;

    /// <summary>Fetches <paramref name="listed"/> into <paramref name="temporaryPath"/> and verifies it; throws <see cref="StoreException"/> of kind <see cref="StoreErrorKind.IntegrityMismatch"/> when the bytes are corrupt.</summary>
    public async Task<FetchedObject> FetchAsync(StoredObject listed, string temporaryPath, string? expectedSha256, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return listed.Size > rangeThreshold
                    ? await FetchRangedAsync(listed, temporaryPath, expectedSha256, cancellationToken).ConfigureAwait(false)
                    : await FetchWholeAsync(listed, temporaryPath, expectedSha256, cancellationToken).ConfigureAwait(false);
            }
            catch (StoreException ex) when (ex.Kind == StoreErrorKind.IntegrityMismatch)
            {
                Discard(listed.Key, temporaryPath);
                if (attempt >= 2)
                {
                    throw new StoreException(StoreErrorKind.IntegrityMismatch, $"corrupt: {ex.Message}; nothing was written under the final name", ex);
                }
            }
        }
    }

    /// <summary>Forgets a partial fetch and its temporary file.</summary>
    public void Discard(string key, string temporaryPath)
    {
        journal?.DeletePartialDownload(store.Identity, key);
        File.Delete(temporaryPath);
    }

    private async Task<FetchedObject> FetchWholeAsync(StoredObject listed, string temporaryPath, string? expectedSha256, CancellationToken cancellationToken)
    {
        var (info, sha256, md5, written) = await retry.ExecuteAsync(
            async ct =>
            {
                var read = await store.ReadAsync(listed.Key, 0, null, ct).ConfigureAwait(false);
                await using var readDisposal = read.ConfigureAwait(false);
                using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
                // The headers came first: MD5 is needed only when there is no SHA-256 to compare with.
                using var md = (expectedSha256 ?? read.Object.Sha256) is null ? IncrementalHash.CreateHash(HashAlgorithmName.MD5) : null;
                long total = 0;
                var output = new FileStream(temporaryPath, FileMode.Create, FileAccess.Write, FileShare.None, 1, FileOptions.Asynchronous);
                await using (output.ConfigureAwait(false))
                {
                    var buffer = ArrayPool<byte>.Shared.Rent(CopyBufferSize);
                    try
                    {
                        // Fill the buffer before writing: small objects become one write, not one per network read.
                        var filled = 0;
                        int n;
                        do
                        {
                            n = await ReadBodyAsync(read.Content, buffer.AsMemory(filled, CopyBufferSize - filled), listed.Key, ct).ConfigureAwait(false);
                            filled += n;
                            if (filled == CopyBufferSize || n == 0 && filled > 0)
                            {
                                sha.AppendData(buffer, 0, filled);
                                md?.AppendData(buffer, 0, filled);
                                await output.WriteAsync(buffer.AsMemory(0, filled), ct).ConfigureAwait(false);
                                total += filled;
                                progress.AddBytesSent(filled);
                                filled = 0;
                            }
                        }
                        while (n > 0);
                    }
                    finally
                    {
                        ArrayPool<byte>.Shared.Return(buffer);
                    }

                    output.Flush(flushToDisk: durable);
                }

                return (read.Object, Convert.ToHexStringLower(sha.GetHashAndReset()), md is null ? "" : Convert.ToHexStringLower(md.GetHashAndReset()), total);
            },
            cancellationToken).ConfigureAwait(false);

        return await VerifyAsync(listed, info, expectedSha256, sha256, md5, written, cancellationToken).ConfigureAwait(false);
    }

    private async Task<FetchedObject> FetchRangedAsync(StoredObject listed, string temporaryPath, string? expectedSha256, CancellationToken cancellationToken)
    {
        var head = await retry.ExecuteAsync(async ct => await store.HeadAsync(listed.Key, ct).ConfigureAwait(false), cancellationToken).ConfigureAwait(false)
            ?? throw new StoreException(StoreErrorKind.NotFound, $"{listed.Key} disappeared before it was downloaded");
        if (head.Size != listed.Size || listed.ETag is not null && head.ETag is not null && head.ETag != listed.ETag)
        {
            throw new StoreException(StoreErrorKind.Other, $"{listed.Key} changed since it was listed; run again");
        }

        var identity = store.Identity;
        var chunks = (listed.Size + chunkSize - 1) / chunkSize;
        var recorded = journal?.FindPartialDownload(identity, listed.Key);
        IReadOnlySet<long> done = new HashSet<long>();
        if (recorded is not null && recorded.ETag == listed.ETag && recorded.Size == listed.Size && recorded.ChunkSize == chunkSize
            && recorded.TemporaryPath == temporaryPath && File.Exists(temporaryPath) && new FileInfo(temporaryPath).Length == listed.Size)
        {
            done = journal!.FindDownloadedChunks(identity, listed.Key);
        }
        else
        {
            var create = new FileStream(temporaryPath, FileMode.Create, FileAccess.Write, FileShare.None);
            await using (create.ConfigureAwait(false))
            {
                create.SetLength(listed.Size);
            }

            journal?.SavePartialDownload(new JournalPartialDownload(identity, listed.Key, listed.ETag, listed.Size, chunkSize, temporaryPath));
        }

        // Finished chunks are hashed in file order while later ones download; MD5 only when there is no SHA-256 to compare with.
        using var hashing = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var hasher = new OrderedChunkHasher(temporaryPath, listed.Size, chunkSize, withMd5: (expectedSha256 ?? head.Sha256) is null, done, hashing.Token);
        try
        {
            using var handle = File.OpenHandle(temporaryPath, FileMode.Open, FileAccess.Write, FileShare.Read, FileOptions.Asynchronous);
            var missing = Enumerable.Range(0, (int)chunks).Select(i => (long)i).Where(i => !done.Contains(i));
            await Parallel.ForEachAsync(missing, new ParallelOptions { MaxDegreeOfParallelism = chunkParallelism, CancellationToken = cancellationToken }, async (chunk, ct) =>
            {
                await retry.ExecuteAsync(async attemptToken => await FetchChunkAsync(listed, handle, chunk, attemptToken).ConfigureAwait(false), ct).ConfigureAwait(false);
                if (durable)
                {
                    RandomAccess.FlushToDisk(handle);
                }

                journal?.SaveDownloadedChunk(identity, listed.Key, chunk);
                hasher.Completed(chunk);
            }).ConfigureAwait(false);
        }
        catch
        {
            await hashing.CancelAsync().ConfigureAwait(false);
            throw;
        }

        var (sha256, md5) = await hasher.FinishAsync().ConfigureAwait(false);
        return await VerifyAsync(listed, head, expectedSha256, sha256, md5, new FileInfo(temporaryPath).Length, cancellationToken).ConfigureAwait(false);
    }

    private async Task FetchChunkAsync(StoredObject listed, Microsoft.Win32.SafeHandles.SafeFileHandle handle, long chunk, CancellationToken cancellationToken)
    {
        var offset = chunk * chunkSize;
        var length = Math.Min(chunkSize, listed.Size - offset);
        var read = await store.ReadAsync(listed.Key, offset, length, cancellationToken).ConfigureAwait(false);
        await using var readDisposal = read.ConfigureAwait(false);
        if (listed.ETag is not null && read.Object.ETag is not null && read.Object.ETag != listed.ETag)
        {
            throw new StoreException(StoreErrorKind.Other, $"{listed.Key} changed while it was downloaded; run again");
        }

        var buffer = ArrayPool<byte>.Shared.Rent(CopyBufferSize);
        try
        {
            var position = offset;
            int n;
            while ((n = await ReadBodyAsync(read.Content, buffer.AsMemory(0, (int)Math.Min(CopyBufferSize, offset + length - position)), listed.Key, cancellationToken).ConfigureAwait(false)) > 0)
            {
                await RandomAccess.WriteAsync(handle, buffer.AsMemory(0, n), position, cancellationToken).ConfigureAwait(false);
                position += n;
                progress.AddBytesSent(n);
                if (position == offset + length)
                {
                    break;
                }
            }

            if (position != offset + length)
            {
                throw new StoreException(StoreErrorKind.Transient, $"{listed.Key}: the range at {offset} ended after {position - offset} of {length} bytes");
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Reads from a response body; a connection that breaks mid-body is a transient store error (retried), unlike local disk errors.</summary>
    private static async ValueTask<int> ReadBodyAsync(Stream body, Memory<byte> buffer, string key, CancellationToken cancellationToken)
    {
        try
        {
            return await body.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or HttpRequestException && !cancellationToken.IsCancellationRequested)
        {
            throw new StoreException(StoreErrorKind.Transient, $"{key}: the connection broke while receiving the object ({ex.Message})", ex);
        }
    }

    private async Task<FetchedObject> VerifyAsync(StoredObject listed, StoredObject reported, string? expectedSha256, string sha256, string md5, long written, CancellationToken cancellationToken)
    {
        if (written != listed.Size)
        {
            throw new StoreException(StoreErrorKind.IntegrityMismatch, $"{listed.Key}: received {written} bytes, the listing says {listed.Size}");
        }

        var expected = expectedSha256 ?? reported.Sha256;
        if (expected is null && !reported.ETagIsMd5)
        {
            // Neither metadata nor an MD5 ETag came with the bytes: ask once more (the local store computes it).
            expected = (await retry.ExecuteAsync(async ct => await store.HeadAsync(listed.Key, ct).ConfigureAwait(false), cancellationToken).ConfigureAwait(false))?.Sha256;
        }

        if (expected is not null)
        {
            return string.Equals(expected, sha256, StringComparison.OrdinalIgnoreCase)
                ? new FetchedObject(sha256, reported.ETag, written, ChecksumVerified: true)
                : throw new StoreException(StoreErrorKind.IntegrityMismatch, $"{listed.Key}: the bytes hash to SHA-256 {sha256}, the recorded checksum is {expected}");
        }

        if (reported.ETagIsMd5)
        {
            return string.Equals(reported.ETag, md5, StringComparison.OrdinalIgnoreCase)
                ? new FetchedObject(sha256, reported.ETag, written, ChecksumVerified: true)
                : throw new StoreException(StoreErrorKind.IntegrityMismatch, $"{listed.Key}: the bytes hash to MD5 {md5}, the ETag says {reported.ETag}");
        }

        return new FetchedObject(sha256, reported.ETag, written, ChecksumVerified: false);
    }
}
