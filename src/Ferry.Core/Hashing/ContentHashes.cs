using System.Security.Cryptography;

namespace Ferry.Core.Hashing;

/// <summary>Digests Ferry computes itself while reading: MD5 (per request body) and SHA-256 (whole file).</summary>
public static class ContentHashes
{
    /// <summary>True when <paramref name="value"/> looks like an MD5 digest (32 hex digits), as single-request ETags are.</summary>
    public static bool IsMd5Hex(string? value) => value is { Length: 32 } && value.All(char.IsAsciiHexDigit);

    public static string Md5Hex(ReadOnlySpan<byte> data) => Convert.ToHexStringLower(MD5.HashData(data));

    public static string Sha256Hex(ReadOnlySpan<byte> data) => Convert.ToHexStringLower(SHA256.HashData(data));

    /// <summary>Base64 of the MD5 named by <paramref name="md5Hex"/>, for a <c>Content-MD5</c> header.</summary>
    public static string Md5Base64(string md5Hex) => Convert.ToBase64String(Convert.FromHexString(md5Hex));

    /// <summary>SHA-256 and MD5 of a whole file, read once.</summary>
    public static async Task<(string Sha256, string Md5)> HashFileAsync(string path, CancellationToken cancellationToken)
    {
        var (sha256, md5) = await HashFileAsync(path, withMd5: true, cancellationToken).ConfigureAwait(false);
        return (sha256, md5!);
    }

    /// <summary>SHA-256 of a whole file.</summary>
    public static async Task<string> Sha256FileAsync(string path, CancellationToken cancellationToken) =>
        (await HashFileAsync(path, withMd5: false, cancellationToken).ConfigureAwait(false)).Sha256;

    private static async Task<(string Sha256, string? Md5)> HashFileAsync(string path, bool withMd5, CancellationToken cancellationToken)
    {
        using var sha256 = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        using var md5 = withMd5 ? IncrementalHash.CreateHash(HashAlgorithmName.MD5) : null;
        var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1, FileOptions.Asynchronous | FileOptions.SequentialScan);
        await using var streamDisposal = stream.ConfigureAwait(false);
        var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(1 << 20);
        try
        {
            int read;
            while ((read = await stream.ReadAsync(buffer.AsMemory(0, 1 << 20), cancellationToken).ConfigureAwait(false)) > 0)
            {
                sha256.AppendData(buffer, 0, read);
                md5?.AppendData(buffer, 0, read);
            }
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
        }

        return (Convert.ToHexStringLower(sha256.GetHashAndReset()), md5 is null ? null : Convert.ToHexStringLower(md5.GetHashAndReset()));
    }

    /// <summary>SHA-256 of everything <paramref name="stream"/> yields.</summary>
    public static async Task<string> Sha256HexAsync(Stream stream, CancellationToken cancellationToken) =>
        Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, cancellationToken).ConfigureAwait(false));

    /// <summary>
    /// The ETag S3 gives an object made of these parts: MD5 of the concatenated part MD5s, then
    /// '-' and the part count. Other servers (s3rver among them) use other formats.
    /// </summary>
    public static string MultipartETag(IEnumerable<string> partMd5Hexes)
    {
        var digests = partMd5Hexes.Select(Convert.FromHexString).ToList();
        var joined = digests.SelectMany(d => d).ToArray();
        return $"{Convert.ToHexStringLower(MD5.HashData(joined))}-{digests.Count}";
    }
}
