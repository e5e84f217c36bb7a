using Ferry.Core.Storage;

namespace Ferry.Core.Transfer;

/// <summary>Decides whether local bytes, known by their digests, are an object's bytes, without reading the object.</summary>
internal static class ContentComparison
{
    /// <summary>
    /// The object as confirmed when the bytes match: a listed MD5 ETag must equal <paramref name="md5"/>;
    /// otherwise the object's SHA-256 metadata (asked for with <paramref name="head"/>) must equal
    /// <paramref name="sha256"/> and its size <paramref name="size"/>. Null when they differ or cannot be told apart.
    /// </summary>
    public static async Task<StoredObject?> ConfirmAsync(StoredObject listed, long size, string sha256, string md5, Func<CancellationToken, Task<StoredObject?>> head, CancellationToken cancellationToken)
    {
        if (listed.Size != size)
        {
            return null;
        }

        if (listed.ETagIsMd5)
        {
            return string.Equals(listed.ETag, md5, StringComparison.OrdinalIgnoreCase) ? listed : null;
        }

        var reported = await head(cancellationToken).ConfigureAwait(false);
        return reported is not null && reported.Size == size && string.Equals(reported.Sha256, sha256, StringComparison.OrdinalIgnoreCase) ? reported : null;
    }
}
