using System.Threading.Channels;
using Ferry.Core.Hashing;
using Ferry.Core.Storage;
using Ferry.Core.Transfer;

namespace Ferry.Core.Verification;

/// <summary>
/// Compares a local tree with the objects under a prefix: every local file must have an object of
/// the same size whose SHA-256 metadata (or MD5 ETag) equals the local bytes' checksum; with
/// <c>download</c>, the remote bytes themselves are read and hashed. Objects with no local file
/// are reported as extra. Skipped entries (symlinks, special files) are not compared.
/// </summary>
public sealed class TreeVerifier
{
    private readonly IObjectStore _store;

    public TreeVerifier(IObjectStore store)
    {
        _store = store;
    }

    public async Task<VerificationReport> VerifyAsync(string source, string prefix, bool download, PathFilter filter, int concurrency, Action<VerificationDifference> onDifference, CancellationToken cancellationToken)
    {
        using var listing = new RemoteListing();
        await listing.LoadAsync(_store.ListAsync(prefix, cancellationToken), cancellationToken).ConfigureAwait(false);
        long checkedFiles = 0, identical = 0, differences = 0;
        void Report(VerificationDifference difference)
        {
            Interlocked.Increment(ref differences);
            onDifference(difference);
        }

        var scanner = new SourceScanner(source, new ScanOptions { Filter = filter, KeyPrefix = prefix });
        var toHash = Channel.CreateBounded<(SourceFile File, string Key)>(concurrency * 4);
        var hashers = Enumerable.Range(0, concurrency).Select(_ => Task.Run(async () =>
        {
            await foreach (var (file, key) in toHash.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                try
                {
                    if (await CompareContentAsync(file, key, download, cancellationToken).ConfigureAwait(false) is { } difference)
                    {
                        Report(difference);
                    }
                    else
                    {
                        Interlocked.Increment(ref identical);
                    }
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or StoreException { IsFatalForRun: false })
                {
                    Report(new VerificationDifference("error", file.RelativePath, key, ex.Message));
                }
            }
        }, cancellationToken)).ToArray();

        try
        {
            await foreach (var file in scanner.ScanAsync(cancellationToken).ConfigureAwait(false))
            {
                checkedFiles++;
                var key = ObjectKey.Join(prefix, file.RelativePath);
                var remote = listing.Find(key);
                if (remote is null)
                {
                    Report(new VerificationDifference("missing", file.RelativePath, key, "no object at this key"));
                    continue;
                }

                listing.MarkSeen(key);
                if (remote.Value.Size != file.Size)
                {
                    Report(new VerificationDifference("size", file.RelativePath, key, $"local {file.Size} bytes, remote {remote.Value.Size} bytes"));
                    continue;
                }

                await toHash.Writer.WriteAsync((file, key), cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            toHash.Writer.TryComplete();
            await Task.WhenAll(hashers).ConfigureAwait(false);
        }

        long extra = 0;
        foreach (var (key, size) in listing.Unseen())
        {
            extra++;
            var relative = key[prefix.Length..];
            if (filter.Matches(relative))
            {
                Report(new VerificationDifference("extra", relative, key, $"object of {size} bytes has no local file"));
            }
        }

        return new VerificationReport(checkedFiles, identical, differences, extra);
    }

    private async Task<VerificationDifference?> CompareContentAsync(SourceFile file, string key, bool download, CancellationToken cancellationToken)
    {
        var (sha256, md5) = await ContentHashes.HashFileAsync(file.FullPath, cancellationToken).ConfigureAwait(false);
        if (download)
        {
            var stream = await _store.OpenReadAsync(key, cancellationToken).ConfigureAwait(false);
            await using var streamDisposal = stream.ConfigureAwait(false);
            var remoteSha256 = await ContentHashes.Sha256HexAsync(stream, cancellationToken).ConfigureAwait(false);
            return remoteSha256 == sha256 ? null : new VerificationDifference("checksum", file.RelativePath, key, $"remote bytes hash to {remoteSha256}, local to {sha256}");
        }

        var head = await _store.HeadAsync(key, cancellationToken).ConfigureAwait(false);
        if (head is null)
        {
            return new VerificationDifference("missing", file.RelativePath, key, "the object disappeared during verification");
        }

        if (head.Sha256 is { } recorded)
        {
            return string.Equals(recorded, sha256, StringComparison.OrdinalIgnoreCase) ? null
                : new VerificationDifference("checksum", file.RelativePath, key, $"remote SHA-256 {recorded}, local {sha256}");
        }

        if (head.ETagIsMd5)
        {
            return string.Equals(head.ETag, md5, StringComparison.OrdinalIgnoreCase) ? null
                : new VerificationDifference("checksum", file.RelativePath, key, $"remote MD5 {head.ETag}, local {md5}");
        }

        return new VerificationDifference("unverifiable", file.RelativePath, key, "the object has no SHA-256 metadata and no MD5 ETag; rerun with --download");
    }
}
