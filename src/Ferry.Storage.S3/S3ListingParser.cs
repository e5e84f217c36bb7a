using System.Globalization;
using System.Net;
using System.Xml;
using Ferry.Core.Storage;

namespace Ferry.Storage.S3;

/// <summary>
/// Reads a ListObjectsV2 answer (<c>ListBucketResult</c>) as it streams in: each <c>Contents</c> entry's key, size, ETag
/// and time, and the next page's continuation token when <c>IsTruncated</c>. Keys are URL-decoded when the answer says
/// <c>EncodingType</c> url (as S3 does when asked; stores that ignore the request send them plain and say nothing).
/// </summary>
internal static class S3ListingParser
{
    public static async Task<(List<StoredObject> Objects, string? NextToken)> ParseAsync(Stream body, CancellationToken cancellationToken)
    {
        var settings = new XmlReaderSettings { Async = true, IgnoreComments = true, IgnoreWhitespace = true, DtdProcessing = DtdProcessing.Prohibit };
        using var reader = XmlReader.Create(body, settings);
        var entries = new List<(string Key, long Size, string? ETag, DateTimeOffset Modified)>();
        var urlEncoded = false;
        var truncated = false;
        string? next = null;
        // ReadElementContentAsStringAsync leaves the reader on the node after the element: do not read past it.
        var advance = true;
        while (!advance || await reader.ReadAsync().ConfigureAwait(false))
        {
            cancellationToken.ThrowIfCancellationRequested();
            advance = true;
            if (reader.NodeType != XmlNodeType.Element || reader.Depth != 1)
            {
                continue;
            }

            switch (reader.LocalName)
            {
                case "Contents":
                    entries.Add(await ReadContentsAsync(reader).ConfigureAwait(false));
                    break;
                case "IsTruncated":
                    truncated = string.Equals(await reader.ReadElementContentAsStringAsync().ConfigureAwait(false), "true", StringComparison.OrdinalIgnoreCase);
                    advance = false;
                    break;
                case "NextContinuationToken":
                    next = await reader.ReadElementContentAsStringAsync().ConfigureAwait(false);
                    advance = false;
                    break;
                case "EncodingType":
                    urlEncoded = string.Equals(await reader.ReadElementContentAsStringAsync().ConfigureAwait(false), "url", StringComparison.OrdinalIgnoreCase);
                    advance = false;
                    break;
            }
        }

        var objects = new List<StoredObject>(entries.Count);
        foreach (var (key, size, etag, modified) in entries)
        {
            // S3's url encoding is form encoding: '+' is a space, a literal '+' comes as %2B.
            objects.Add(new StoredObject(urlEncoded ? WebUtility.UrlDecode(key) : key, size, etag, modified));
        }

        return (objects, truncated && !string.IsNullOrEmpty(next) ? next : null);
    }

    private static async Task<(string Key, long Size, string? ETag, DateTimeOffset Modified)> ReadContentsAsync(XmlReader reader)
    {
        string key = "";
        long size = 0;
        string? etag = null;
        var modified = DateTimeOffset.MinValue;
        if (reader.IsEmptyElement)
        {
            return (key, size, etag, modified);
        }

        var depth = reader.Depth;
        await reader.ReadAsync().ConfigureAwait(false);
        while (!(reader.NodeType == XmlNodeType.EndElement && reader.Depth == depth) && !reader.EOF)
        {
            if (reader.NodeType != XmlNodeType.Element)
            {
                await reader.ReadAsync().ConfigureAwait(false);
                continue;
            }

            switch (reader.LocalName)
            {
                case "Key":
                    key = await reader.ReadElementContentAsStringAsync().ConfigureAwait(false);
                    break;
                case "Size":
                    size = long.Parse(await reader.ReadElementContentAsStringAsync().ConfigureAwait(false), NumberStyles.None, CultureInfo.InvariantCulture);
                    break;
                case "ETag":
                    etag = (await reader.ReadElementContentAsStringAsync().ConfigureAwait(false)).Trim('"');
                    break;
                case "LastModified":
                    modified = DateTimeOffset.Parse(await reader.ReadElementContentAsStringAsync().ConfigureAwait(false), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal).ToUniversalTime();
                    break;
                default:
                    await reader.SkipAsync().ConfigureAwait(false);
                    break;
            }
        }

        return (key, size, etag, modified);
    }
}
