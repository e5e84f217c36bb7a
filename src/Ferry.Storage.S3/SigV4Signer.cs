using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Ferry.Storage.S3;

/// <summary>
/// AWS Signature Version 4 for header-signed requests (the "AWS4-HMAC-SHA256" Authorization header).
/// Pure and deterministic: the caller supplies the time, so tests can check it against known
/// signatures and against the SDK's own. Signing keys are cached per day, region and service.
/// </summary>
internal sealed class SigV4Signer(string accessKeyId, string secretAccessKey)
{
    private readonly Lock _lock = new();
    private (string Scope, byte[] Key)? _cachedKey;

    public const string Algorithm = "AWS4-HMAC-SHA256";

    /// <summary>The <c>x-amz-date</c> value for <paramref name="time"/>.</summary>
    public static string AmzDate(DateTimeOffset time) => time.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);

    /// <summary>
    /// The Authorization header value. <paramref name="headers"/> are the headers to sign, names in
    /// lower case (host and x-amz-date among them); <paramref name="canonicalUri"/> is the path exactly
    /// as sent (already percent-encoded); <paramref name="payloadHash"/> is the hex SHA-256 of the body
    /// or UNSIGNED-PAYLOAD.
    /// </summary>
    public string Authorization(string method, string canonicalUri, string canonicalQuery, IReadOnlyDictionary<string, string> headers, string payloadHash, DateTimeOffset time, string region, string service)
    {
        var names = headers.Keys.Order(StringComparer.Ordinal).ToList();
        var canonical = new StringBuilder()
            .Append(method).Append('\n')
            .Append(canonicalUri).Append('\n')
            .Append(canonicalQuery).Append('\n');
        foreach (var name in names)
        {
            canonical.Append(name).Append(':').Append(headers[name].Trim()).Append('\n');
        }

        var signedHeaders = string.Join(';', names);
        canonical.Append('\n').Append(signedHeaders).Append('\n').Append(payloadHash);

        var amzDate = AmzDate(time);
        var day = amzDate[..8];
        var scope = $"{day}/{region}/{service}/aws4_request";
        var stringToSign = $"{Algorithm}\n{amzDate}\n{scope}\n{Hex(SHA256.HashData(Encoding.UTF8.GetBytes(canonical.ToString())))}";
        var signature = Hex(HMACSHA256.HashData(SigningKey(scope, day, region, service), Encoding.UTF8.GetBytes(stringToSign)));
        return $"{Algorithm} Credential={accessKeyId}/{scope}, SignedHeaders={signedHeaders}, Signature={signature}";
    }

    /// <summary>
    /// The signed query string of a presigned request (query-string authentication, UNSIGNED-PAYLOAD, <c>host</c>
    /// signed, and <c>content-length</c> too when <paramref name="contentLength"/> is given — S3 then refuses a request
    /// of any other length): <paramref name="parameters"/> plus the X-Amz-* parameters and X-Amz-Signature, encoded and
    /// sorted as signed. <paramref name="canonicalUri"/> is the path exactly as sent.
    /// </summary>
    public string PresignedQuery(string method, string canonicalUri, string host, IReadOnlyDictionary<string, string> parameters, string? securityToken, DateTimeOffset time, TimeSpan lifetime, string region, string service, long? contentLength = null)
    {
        var amzDate = AmzDate(time);
        var day = amzDate[..8];
        var scope = $"{day}/{region}/{service}/aws4_request";
        var query = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in parameters)
        {
            query[EncodeSegment(name)] = EncodeSegment(value);
        }

        query["X-Amz-Algorithm"] = Algorithm;
        query["X-Amz-Credential"] = EncodeSegment($"{accessKeyId}/{scope}");
        query["X-Amz-Date"] = amzDate;
        query["X-Amz-Expires"] = ((long)lifetime.TotalSeconds).ToString(CultureInfo.InvariantCulture);
        var signedHeaders = contentLength is null ? "host" : "content-length;host";
        query["X-Amz-SignedHeaders"] = EncodeSegment(signedHeaders);
        if (!string.IsNullOrEmpty(securityToken))
        {
            query["X-Amz-Security-Token"] = EncodeSegment(securityToken);
        }

        var canonicalQuery = string.Join('&', query.Select(p => p.Key + "=" + p.Value));
        var canonicalHeaders = (contentLength is { } length ? $"content-length:{length.ToString(CultureInfo.InvariantCulture)}\n" : "") + $"host:{host}\n";
        var canonical = $"{method}\n{canonicalUri}\n{canonicalQuery}\n{canonicalHeaders}\n{signedHeaders}\nUNSIGNED-PAYLOAD";
        var stringToSign = $"{Algorithm}\n{amzDate}\n{scope}\n{Hex(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)))}";
        var signature = Hex(HMACSHA256.HashData(SigningKey(scope, day, region, service), Encoding.UTF8.GetBytes(stringToSign)));
        return canonicalQuery + "&X-Amz-Signature=" + signature;
    }

    /// <summary>The signature of a browser POST policy (<paramref name="base64Policy"/>: the policy document in base64, as sent in the form).</summary>
    public string SignPolicy(string base64Policy, DateTimeOffset time, string region, string service)
    {
        var day = AmzDate(time)[..8];
        var scope = $"{day}/{region}/{service}/aws4_request";
        return Hex(HMACSHA256.HashData(SigningKey(scope, day, region, service), Encoding.UTF8.GetBytes(base64Policy)));
    }

    /// <summary>Percent-encodes one path segment as S3 expects: every byte but A-Z a-z 0-9 - _ . ~ as %XX.</summary>
    public static string EncodeSegment(string segment)
    {
        var bytes = Encoding.UTF8.GetBytes(segment);
        var encoded = new StringBuilder(bytes.Length * 3);
        foreach (var b in bytes)
        {
            if (b is >= (byte)'A' and <= (byte)'Z' or >= (byte)'a' and <= (byte)'z' or >= (byte)'0' and <= (byte)'9' or (byte)'-' or (byte)'_' or (byte)'.' or (byte)'~')
            {
                encoded.Append((char)b);
            }
            else
            {
                encoded.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
            }
        }

        return encoded.ToString();
    }

    private byte[] SigningKey(string scope, string day, string region, string service)
    {
        lock (_lock)
        {
            if (_cachedKey is { } cached && cached.Scope == scope)
            {
                return cached.Key;
            }

            var key = HMACSHA256.HashData(Encoding.UTF8.GetBytes("AWS4" + secretAccessKey), Encoding.UTF8.GetBytes(day));
            key = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(region));
            key = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(service));
            key = HMACSHA256.HashData(key, "aws4_request"u8);
            _cachedKey = (scope, key);
            return key;
        }
    }

    private static string Hex(byte[] bytes) => Convert.ToHexStringLower(bytes);
}
