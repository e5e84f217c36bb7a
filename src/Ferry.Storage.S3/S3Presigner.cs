using System.Globalization;
using System.Text.Json.Nodes;
using Amazon.Runtime;
using Ferry.Core;
using Ferry.Core.Storage;

namespace Ferry.Storage.S3;

/// <summary>
/// Presigned PUT URLs for objects (bound to their size by a signed Content-Length) and multipart parts, computed locally with Ferry's SigV4 signer
/// (the signing key is cached per day, so one URL costs two hashes). Custom endpoints are addressed
/// path-style; AWS virtual-hosted style when the bucket name allows it (no dots), else path-style.
/// Temporary credentials carry their session token in the URL.
/// </summary>
internal sealed class S3Presigner
{
    private const string Service = "s3";
    private static readonly TimeSpan MaximumLifetime = TimeSpan.FromDays(7);
    private static readonly IReadOnlyDictionary<string, string> NoHeaders = new Dictionary<string, string>();

    private readonly AWSCredentials _credentials;
    private readonly string _region;
    private readonly string _origin;
    private readonly string _host;
    private readonly string _basePath;
    private readonly SigV4SignerCache _signers = new();
    private readonly string _bucket;

    public S3Presigner(AWSCredentials credentials, string region, Uri? endpoint, string bucket)
    {
        _credentials = credentials;
        _region = region;
        _bucket = bucket;
        Uri origin;
        if (endpoint is not null)
        {
            origin = endpoint;
            _basePath = $"{endpoint.AbsolutePath.TrimEnd('/')}/{SigV4Signer.EncodeSegment(bucket)}";
        }
        else if (!bucket.Contains('.', StringComparison.Ordinal))
        {
            origin = new Uri($"https://{bucket}.s3.{region}.amazonaws.com");
            _basePath = "";
        }
        else
        {
            origin = new Uri($"https://s3.{region}.amazonaws.com");
            _basePath = "/" + SigV4Signer.EncodeSegment(bucket);
        }

        _origin = origin.GetLeftPart(UriPartial.Authority);
        _host = origin.IsDefaultPort ? origin.Host : $"{origin.Host}:{origin.Port}";
    }

    /// <summary>A PUT of exactly <paramref name="size"/> bytes: the length is a signed header, so S3 refuses any other.</summary>
    public PresignedRequest Put(string key, long size, DateTimeOffset now, TimeSpan lifetime)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(size);
        return Sign("PUT", key, new Dictionary<string, string>(), now, lifetime, size);
    }

    public PresignedRequest Post(string key, long size, DateTimeOffset now, TimeSpan lifetime)
    {
        ObjectKey.Validate(key);
        ArgumentOutOfRangeException.ThrowIfNegative(size);
        CheckLifetime(lifetime);
        var identity = _credentials.GetCredentials();
        var signer = _signers.For(identity);
        var amzDate = SigV4Signer.AmzDate(now);
        var credential = $"{identity.AccessKey}/{amzDate[..8]}/{_region}/{Service}/aws4_request";
        var conditions = new JsonArray(
            new JsonObject { ["bucket"] = _bucket },
            new JsonObject { ["key"] = key },
            new JsonArray("content-length-range", size, size),
            new JsonObject { ["x-amz-algorithm"] = SigV4Signer.Algorithm },
            new JsonObject { ["x-amz-credential"] = credential },
            new JsonObject { ["x-amz-date"] = amzDate });
        if (!string.IsNullOrEmpty(identity.Token))
        {
            conditions.Add((JsonNode)new JsonObject { ["x-amz-security-token"] = identity.Token }); // as JsonNode: Add<T> is not AOT-safe
        }

        // Written with the serializer's defaults (compact, default escaping), as S3 reads it.
        var policy = new JsonObject
        {
            ["expiration"] = Timestamps.IsoSeconds(now + lifetime),
            ["conditions"] = conditions,
        }.ToJsonString();
        var base64Policy = Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(policy));
        var signature = signer.SignPolicy(base64Policy, now, _region, Service);
        var fields = new List<KeyValuePair<string, string>>
        {
            new("key", key),
            new("policy", base64Policy),
            new("x-amz-algorithm", SigV4Signer.Algorithm),
            new("x-amz-credential", credential),
            new("x-amz-date", amzDate),
        };
        if (!string.IsNullOrEmpty(identity.Token))
        {
            fields.Add(new("x-amz-security-token", identity.Token));
        }

        fields.Add(new("x-amz-signature", signature));
        return new PresignedRequest("POST", _origin + (_basePath.Length == 0 ? "/" : _basePath), NoHeaders, now + lifetime, fields);
    }

    public PresignedRequest UploadPart(string key, string uploadId, int partNumber, DateTimeOffset now, TimeSpan lifetime)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(partNumber, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(partNumber, 10_000);
        var parameters = new Dictionary<string, string>
        {
            ["partNumber"] = partNumber.ToString(CultureInfo.InvariantCulture),
            ["uploadId"] = uploadId,
        };
        return Sign("PUT", key, parameters, now, lifetime);
    }

    /// <summary>A GET of the object: the URL a Camtrap DP package lists for each media file.</summary>
    public PresignedRequest Get(string key, DateTimeOffset now, TimeSpan lifetime) => Sign("GET", key, [], now, lifetime);

    /// <summary>The object's unsigned URL, addressed as the signed ones are.</summary>
    public string ObjectUrl(string key)
    {
        ObjectKey.Validate(key);
        return _origin + _basePath + "/" + string.Join('/', key.Split('/').Select(SigV4Signer.EncodeSegment));
    }

    private PresignedRequest Sign(string method, string key, Dictionary<string, string> parameters, DateTimeOffset now, TimeSpan lifetime, long? contentLength = null)
    {
        ObjectKey.Validate(key);
        CheckLifetime(lifetime);

        var identity = _credentials.GetCredentials();
        var path = _basePath + "/" + string.Join('/', key.Split('/').Select(SigV4Signer.EncodeSegment));
        var query = _signers.For(identity).PresignedQuery(method, path, _host, parameters, identity.Token, now, lifetime, _region, Service, contentLength);
        return new PresignedRequest(method, _origin + path + "?" + query, NoHeaders, now + lifetime);
    }

    private static void CheckLifetime(TimeSpan lifetime)
    {
        if (lifetime < TimeSpan.FromSeconds(1) || lifetime > MaximumLifetime)
        {
            throw new ArgumentOutOfRangeException(nameof(lifetime), lifetime, "a presigned URL lives from 1 second to 7 days");
        }
    }
}
