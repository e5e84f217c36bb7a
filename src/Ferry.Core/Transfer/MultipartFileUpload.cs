using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Ferry.Core.Hashing;
using Ferry.Core.Journal;
using Ferry.Core.Storage;

namespace Ferry.Core.Transfer;

/// <summary>
/// One large file in parts. The file's SHA-256 is computed first (it is stored with the object at
/// the start), the upload is recorded in the journal before any part is sent, then parts are read
/// in order and sent in parallel within the memory budget. On a rerun, parts the store already
/// holds whose size and MD5 match the local bytes are not sent again. Before completing, the
/// SHA-256 of the bytes actually sent must equal the one recorded; after completing, the store's
/// size and SHA-256 must match.
/// </summary>
internal sealed partial class MultipartFileUpload
{
    private const int MaximumParts = 10_000;

    private readonly UploadContext _context;
    private readonly IMultipartObjectStore _multipart;

    public MultipartFileUpload(UploadContext context, IMultipartObjectStore multipart)
    {
        _context = context;
        _multipart = multipart;
    }

    public async Task<VerifiedUpload> RunAsync(SourceFile file, string key, CancellationToken cancellationToken)
    {
        var before = FileSnapshot.Take(file.FullPath);
        var partSize = ChoosePartSize(before.Size);
        var partCount = (int)((before.Size + partSize - 1) / partSize);
        var (uploadId, expectedSha256, stored) = await StartOrResumeAsync(file, key, before, partSize, cancellationToken).ConfigureAwait(false);

        var parts = new StoredPart[partCount];
        var partMd5s = new string[partCount];
        using var sha256 = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        using var failFast = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var sending = new List<Task>();
        var stream = new FileStream(file.FullPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1, FileOptions.SequentialScan);
        await using (stream.ConfigureAwait(false))
        {
            try
            {
                await ReadAndSendPartsAsync().ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested && sending.Any(t => t.IsFaulted))
            {
                // A part failed and stopped the others; its own error is thrown below.
            }

            try
            {
                await WhenAllOrFirstErrorAsync(sending).ConfigureAwait(false);
            }
            catch (StoreException ex) when (ex.Kind == StoreErrorKind.NotFound)
            {
                // NoSuchUpload: the store lost the upload (expired, aborted elsewhere). Start the file over.
                await DiscardAsync(key, uploadId).ConfigureAwait(false);
                throw new UploadRestartException($"{key}: the store no longer has multipart upload {uploadId}", ex);
            }

            cancellationToken.ThrowIfCancellationRequested();
        }

        async Task ReadAndSendPartsAsync()
        {
            for (var number = 1; number <= partCount && !failFast.IsCancellationRequested; number++)
            {
                var length = (int)Math.Min(partSize, before.Size - (number - 1) * partSize);
                await _context.Budget.AcquireAsync(length, failFast.Token).ConfigureAwait(false);
                var buffer = _context.Buffers.Rent(length);
                var handedOff = false;
                try
                {
                    await stream.ReadExactlyAsync(buffer.AsMemory(0, length), failFast.Token).ConfigureAwait(false);
                    sha256.AppendData(buffer, 0, length);
                    var md5 = ContentHashes.Md5Hex(buffer.AsSpan(0, length));
                    partMd5s[number - 1] = md5;
                    if (stored.TryGetValue(number, out var existing) && existing.Size == length && string.Equals(existing.ETag, md5, StringComparison.OrdinalIgnoreCase))
                    {
                        parts[number - 1] = existing;
                        continue;
                    }

                    sending.Add(SendPartAsync(key, uploadId, number, buffer, length, md5, parts, failFast));
                    handedOff = true;
                }
                catch (EndOfStreamException)
                {
                    throw new SourceChangedException(file.RelativePath);
                }
                finally
                {
                    if (!handedOff)
                    {
                        _context.Buffers.Return(buffer);
                        _context.Budget.Release(length);
                    }
                }

                sending.RemoveAll(t => t.IsCompletedSuccessfully);
            }
        }

        var sentSha256 = Convert.ToHexStringLower(sha256.GetHashAndReset());
        if (FileSnapshot.Take(file.FullPath) != before || sentSha256 != expectedSha256)
        {
            await DiscardAsync(key, uploadId).ConfigureAwait(false);
            throw new SourceChangedException(file.RelativePath);
        }

        await CompleteAsync(key, uploadId, parts, cancellationToken).ConfigureAwait(false);
        _context.Journal?.DeleteMultipart(_context.Store.Identity, key);
        var etag = await VerifyAsync(key, before.Size, expectedSha256, partMd5s, cancellationToken).ConfigureAwait(false);
        return new VerifiedUpload(expectedSha256, null, etag, before.Size, before.MtimeTicks);
    }

    /// <summary>Waits for all; throws the first real failure rather than a cancellation it caused in the others.</summary>
    private static async Task WhenAllOrFirstErrorAsync(List<Task> tasks)
    {
        try
        {
            await Task.WhenAll(tasks).ConfigureAwait(false);
        }
        catch
        {
            var cause = tasks.Where(t => t.IsFaulted).Select(t => t.Exception!.InnerException!).FirstOrDefault(e => e is not OperationCanceledException);
            if (cause is not null)
            {
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(cause);
            }

            throw;
        }
    }

    private long ChoosePartSize(long size)
    {
        var partSize = Math.Max(_context.Options.PartSize, _multipart.MinimumPartSize);
        var smallestAllowed = (size + MaximumParts - 1) / MaximumParts;
        return Math.Max(partSize, smallestAllowed);
    }

    /// <summary>Resumes the journal's upload of this file when it is unchanged and the store still has it; else starts anew.</summary>
    private async Task<(string UploadId, string Sha256, Dictionary<int, StoredPart> Stored)> StartOrResumeAsync(SourceFile file, string key, FileSnapshot before, long partSize, CancellationToken cancellationToken)
    {
        var recorded = _context.Journal?.FindMultipart(_context.Store.Identity, key);
        if (recorded is not null)
        {
            if (recorded.Size == before.Size && recorded.MtimeTicks == before.MtimeTicks && recorded.PartSize == partSize)
            {
                var stored = new Dictionary<int, StoredPart>();
                try
                {
                    await foreach (var part in _multipart.ListPartsAsync(key, recorded.UploadId, cancellationToken).ConfigureAwait(false))
                    {
                        stored[part.PartNumber] = part;
                    }

                    return (recorded.UploadId, recorded.Sha256, stored);
                }
                catch (StoreException ex) when (ex.Kind == StoreErrorKind.NotSupported)
                {
                    // The store cannot list parts: trust the journal's record of the parts it confirmed.
                    // Each is still checked against the local bytes' MD5 before it is reused, and a lost
                    // upload shows up as NoSuchUpload and restarts the file.
                    foreach (var part in _context.Journal!.FindParts(_context.Store.Identity, key, recorded.UploadId))
                    {
                        stored[part.PartNumber] = part;
                    }

                    return (recorded.UploadId, recorded.Sha256, stored);
                }
                catch (StoreException ex) when (ex.Kind == StoreErrorKind.NotFound)
                {
                    // The store no longer has it (completed, aborted or expired): start anew.
                    _context.Journal!.DeleteMultipart(_context.Store.Identity, key);
                }
            }
            else
            {
                await DiscardAsync(key, recorded.UploadId).ConfigureAwait(false);
            }
        }

        var sha256 = await ContentHashes.Sha256FileAsync(file.FullPath, cancellationToken).ConfigureAwait(false);
        if (FileSnapshot.Take(file.FullPath) != before)
        {
            throw new SourceChangedException(file.RelativePath);
        }

        if (_context.Duplicates is { } duplicates)
        {
            await duplicates.CheckAsync(key, before.Size, sha256, cancellationToken).ConfigureAwait(false);
        }

        var uploadId = await _context.Retry.ExecuteAsync(async ct => await _multipart.StartMultipartAsync(key, new ObjectWriteOptions(sha256), ct).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
        _context.Journal?.SaveMultipart(new JournalMultipartUpload(_context.Store.Identity, key, uploadId, before.Size, before.MtimeTicks, partSize, sha256), _context.Time.GetUtcNow());
        return (uploadId, sha256, []);
    }

    private async Task SendPartAsync(string key, string uploadId, int number, byte[] buffer, int length, string md5, StoredPart[] parts, CancellationTokenSource failFast)
    {
        await Task.Yield();
        try
        {
            var body = buffer.AsMemory(0, length);
            var contentMd5 = ContentHashes.Md5Base64(md5);
            parts[number - 1] = await _context.Retry.ExecuteAsync(
                async ct =>
                {
                    var part = await _multipart.UploadPartAsync(key, uploadId, number, body, contentMd5, ct).ConfigureAwait(false);
                    _context.Progress.AddBytesSent(length);
                    if (ContentHashes.IsMd5Hex(part.ETag) && !string.Equals(part.ETag, md5, StringComparison.OrdinalIgnoreCase))
                    {
                        throw new StoreException(StoreErrorKind.IntegrityMismatch, $"{key} part {number}: the server's MD5 {part.ETag} differs from the sent bytes' MD5 {md5}; the bytes were damaged in transit");
                    }

                    return part;
                },
                failFast.Token).ConfigureAwait(false);
            _context.Journal?.SavePart(_context.Store.Identity, key, uploadId, parts[number - 1]);
        }
        catch
        {
            await failFast.CancelAsync().ConfigureAwait(false);
            throw;
        }
        finally
        {
            _context.Buffers.Return(buffer);
            _context.Budget.Release(length);
        }
    }

    private async Task CompleteAsync(string key, string uploadId, StoredPart[] parts, CancellationToken cancellationToken)
    {
        try
        {
            await _context.Retry.ExecuteAsync(async ct => await _multipart.CompleteMultipartAsync(key, uploadId, parts, ct).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
        }
        catch (StoreException ex) when (ex.Kind == StoreErrorKind.NotFound)
        {
            // Either a retried complete whose first attempt succeeded, or a lost upload: the object decides.
            var head = await _context.Store.HeadAsync(key, cancellationToken).ConfigureAwait(false);
            if (head is null || head.Size != parts.Sum(p => p.Size))
            {
                await DiscardAsync(key, uploadId).ConfigureAwait(false);
                throw new UploadRestartException($"{key}: the store no longer has multipart upload {uploadId}", ex);
            }
        }
    }

    private async Task<string?> VerifyAsync(string key, long size, string sha256, string[] partMd5s, CancellationToken cancellationToken)
    {
        var head = await _context.Retry.ExecuteAsync(async ct => await _context.Store.HeadAsync(key, ct).ConfigureAwait(false), cancellationToken).ConfigureAwait(false)
            ?? throw new StoreException(StoreErrorKind.IntegrityMismatch, $"{key} is missing after its multipart upload was completed");
        if (head.Size != size || !string.Equals(head.Sha256, sha256, StringComparison.OrdinalIgnoreCase))
        {
            throw new StoreException(StoreErrorKind.IntegrityMismatch, $"{key}: the store reports {head.Size} bytes with SHA-256 {head.Sha256 ?? "none"}, expected {size} bytes with {sha256}");
        }

        // Where the store uses S3's multipart ETag (MD5 of the part MD5s, '-', count), it must match too.
        if (head.ETag is { } etag && S3MultipartETag().IsMatch(etag) && etag.EndsWith($"-{partMd5s.Length}", StringComparison.Ordinal)
            && !string.Equals(etag, ContentHashes.MultipartETag(partMd5s), StringComparison.OrdinalIgnoreCase))
        {
            throw new StoreException(StoreErrorKind.IntegrityMismatch, $"{key}: the store's multipart ETag {etag} does not match the parts sent");
        }

        return head.ETag;
    }

    private async Task DiscardAsync(string key, string uploadId)
    {
        try
        {
            await _multipart.AbortMultipartAsync(key, uploadId, CancellationToken.None).ConfigureAwait(false);
        }
        catch (StoreException)
        {
            // Best effort: a lifecycle rule removes abandoned uploads; the journal forgets it either way.
        }

        _context.Journal?.DeleteMultipart(_context.Store.Identity, key);
    }

    [GeneratedRegex("^[0-9a-fA-F]{32}-[0-9]+$")]
    private static partial Regex S3MultipartETag();
}
