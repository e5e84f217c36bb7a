using Ferry.Core.Hashing;
using Ferry.Core.Storage;

namespace Ferry.Core.Transfer;

/// <summary>
/// Uploads one file and verifies it: small files in one request from a buffer (MD5 and SHA-256
/// computed while reading, <c>Content-MD5</c> sent, an MD5 ETag must match), large files in parts
/// sent in parallel with part-level resume. The file is stat'ed before and after reading; if it
/// changed, its bytes are read again rather than uploaded half-old.
/// </summary>
internal sealed class FileUploader
{
    private const int ChangeAttempts = 3;

    private readonly UploadContext _context;

    public FileUploader(UploadContext context)
    {
        _context = context;
    }

    /// <summary>
    /// Whether the listed object already holds this file's bytes: same size, and the ETag equals the
    /// local MD5 when it is an MD5, else the object's SHA-256 metadata equals the local SHA-256.
    /// </summary>
    public async Task<VerifiedUpload?> FindExistingAsync(SourceFile file, string key, long remoteSize, string? remoteETag, CancellationToken cancellationToken)
    {
        if (remoteSize != file.Size)
        {
            return null;
        }

        var before = FileSnapshot.Take(file.FullPath);
        var (sha256, md5) = await ContentHashes.HashFileAsync(file.FullPath, cancellationToken).ConfigureAwait(false);
        if (FileSnapshot.Take(file.FullPath) != before || before.Size != remoteSize)
        {
            return null;
        }

        var confirmed = await ContentComparison.ConfirmAsync(new StoredObject(key, remoteSize, remoteETag, default), before.Size, sha256, md5,
            ct => _context.Retry.ExecuteAsync(async attempt => await _context.Store.HeadAsync(key, attempt).ConfigureAwait(false), ct).AsTask(), cancellationToken).ConfigureAwait(false);
        return confirmed is null ? null : new VerifiedUpload(sha256, md5, confirmed.ETag, before.Size, before.MtimeTicks);
    }

    /// <summary>Uploads and verifies; throws <see cref="SourceChangedException"/> when the file would not hold still.</summary>
    public async Task<VerifiedUpload> UploadAsync(SourceFile file, string key, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var before = FileSnapshot.Take(file.FullPath);
                if (before.Size <= _context.Options.MultipartThreshold)
                {
                    return await UploadBufferedAsync(file, key, before, cancellationToken).ConfigureAwait(false);
                }

                return _context.Store is IMultipartObjectStore multipart
                    ? await new MultipartFileUpload(_context, multipart).RunAsync(file, key, cancellationToken).ConfigureAwait(false)
                    : await UploadStreamedAsync(file, key, before, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is SourceChangedException or UploadRestartException && attempt < ChangeAttempts)
            {
                // Read it again from the start: the next attempt sees the file's current state.
            }
        }
    }

    /// <param name="before">The file's state just before this attempt reads it.</param>
    private async Task<VerifiedUpload> UploadBufferedAsync(SourceFile file, string key, FileSnapshot before, CancellationToken cancellationToken)
    {
        var length = (int)before.Size;
        await _context.Budget.AcquireAsync(length, cancellationToken).ConfigureAwait(false);
        var buffer = _context.Buffers.Rent(Math.Max(length, 1));
        try
        {
            cancellationToken.ThrowIfCancellationRequested();
            ReadExactly(file.FullPath, buffer, length);
            if (FileSnapshot.Take(file.FullPath) != before)
            {
                throw new SourceChangedException(file.RelativePath);
            }

            var body = buffer.AsMemory(0, length);
            var md5 = ContentHashes.Md5Hex(body.Span);
            var sha256 = ContentHashes.Sha256Hex(body.Span);
            if (_context.Duplicates is { } duplicates)
            {
                await duplicates.CheckAsync(key, length, sha256, cancellationToken).ConfigureAwait(false);
            }

            var write = new ObjectWriteOptions(sha256, ContentHashes.Md5Base64(md5), _context.DeferDurability);
            var stored = await _context.Retry.ExecuteAsync(
                async ct =>
                {
                    using var content = new ReadOnlyMemoryStream(body);
                    var result = await _context.Store.PutAsync(key, content, length, write, ct).ConfigureAwait(false);
                    _context.Progress.AddBytesSent(length);
                    if (result.ETagIsMd5 && !string.Equals(result.ETag, md5, StringComparison.OrdinalIgnoreCase))
                    {
                        throw new StoreException(StoreErrorKind.IntegrityMismatch, $"{key}: the server's MD5 {result.ETag} differs from the sent bytes' MD5 {md5}; the bytes were damaged in transit");
                    }

                    return result;
                },
                cancellationToken).ConfigureAwait(false);

            var etag = stored.ETagIsMd5 ? stored.ETag : await VerifyAsync(stored, key, length, sha256, cancellationToken).ConfigureAwait(false);
            return new VerifiedUpload(sha256, md5, etag, length, before.MtimeTicks);
        }
        finally
        {
            _context.Buffers.Return(buffer);
            _context.Budget.Release(length);
        }
    }

    /// <summary>For stores without multipart: hash first, then stream the file, then compare the store's SHA-256.</summary>
    private async Task<VerifiedUpload> UploadStreamedAsync(SourceFile file, string key, FileSnapshot before, CancellationToken cancellationToken)
    {
        var (sha256, md5) = await ContentHashes.HashFileAsync(file.FullPath, cancellationToken).ConfigureAwait(false);
        if (_context.Duplicates is { } duplicates)
        {
            await duplicates.CheckAsync(key, before.Size, sha256, cancellationToken).ConfigureAwait(false);
        }

        var write = new ObjectWriteOptions(sha256, ContentHashes.Md5Base64(md5), _context.DeferDurability);
        var stored = await _context.Retry.ExecuteAsync(
            async ct =>
            {
                var content = new FileStream(file.FullPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1 << 16, FileOptions.Asynchronous | FileOptions.SequentialScan);
                await using var contentDisposal = content.ConfigureAwait(false);
                var result = await _context.Store.PutAsync(key, content, before.Size, write, ct).ConfigureAwait(false);
                _context.Progress.AddBytesSent(before.Size);
                return result;
            },
            cancellationToken).ConfigureAwait(false);

        if (FileSnapshot.Take(file.FullPath) != before)
        {
            throw new SourceChangedException(file.RelativePath);
        }

        var etag = await VerifyAsync(stored, key, before.Size, sha256, cancellationToken).ConfigureAwait(false);
        return new VerifiedUpload(sha256, md5, etag, before.Size, before.MtimeTicks);
    }

    /// <summary>
    /// Compares the object's size and SHA-256 with what was sent: those the store computed from the bytes it wrote, or
    /// else those a HEAD reports; returns the store's ETag.
    /// </summary>
    private async Task<string?> VerifyAsync(StoredObject stored, string key, long size, string sha256, CancellationToken cancellationToken)
    {
        var head = stored.Sha256IsOfWrittenBytes
            ? stored
            : await _context.Retry.ExecuteAsync(async ct => await _context.Store.HeadAsync(key, ct).ConfigureAwait(false), cancellationToken).ConfigureAwait(false)
                ?? throw new StoreException(StoreErrorKind.IntegrityMismatch, $"{key} is missing right after it was written");
        if (head.Size != size || !string.Equals(head.Sha256, sha256, StringComparison.OrdinalIgnoreCase))
        {
            throw new StoreException(StoreErrorKind.IntegrityMismatch, $"{key}: the store reports {head.Size} bytes with SHA-256 {head.Sha256 ?? "none"}, expected {size} bytes with {sha256}");
        }

        return head.ETag;
    }

    /// <summary>
    /// Reads the first <paramref name="length"/> bytes on this thread: .NET runs an asynchronous read of a local file as
    /// this same blocking read on another pool thread, so awaiting it only adds a hand-off. Like that read, it blocks a
    /// pool thread for up to the multipart threshold's bytes and is not cancelled once started.
    /// </summary>
    private static void ReadExactly(string path, byte[] buffer, int length)
    {
        using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        var read = 0;
        while (read < length)
        {
            var n = RandomAccess.Read(handle, buffer.AsSpan(read, length - read), read);
            if (n == 0)
            {
                throw new SourceChangedException(path);
            }

            read += n;
        }
    }
}
