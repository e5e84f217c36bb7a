using System.Globalization;
using Amazon.Runtime;
using Ferry.Core.Storage;

namespace Ferry.Storage.S3;

/// <summary>
/// Presigned PUT URLs for objects and multipart parts, computed locally with Ferry's SigV4 signer
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

    public S3Presigner(AWSCredentials credentials, string region, Uri? endpoint, string bucket)
    {
        _credentials = credentials;
        _region = region;
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

    public PresignedRequest Put(string key, DateTimeOffset now, TimeSpan lifetime) =>
        Sign("PUT", key, new Dictionary<string, string>(), now, lifetime);

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

    private PresignedRequest Sign(string method, string key, Dictionary<string, string> parameters, DateTimeOffset now, TimeSpan lifetime)
    {
        ObjectKey.Validate(key);
        if (lifetime < TimeSpan.FromSeconds(1) || lifetime > MaximumLifetime)
        {
            throw new ArgumentOutOfRangeException(nameof(lifetime), lifetime, "a presigned URL lives from 1 second to 7 days");
        }

        var identity = _credentials.GetCredentials();
        var path = _basePath + "/" + string.Join('/', key.Split('/').Select(SigV4Signer.EncodeSegment));
        var query = _signers.For(identity).PresignedQuery(method, path, _host, parameters, identity.Token, now, lifetime, _region, Service);
        return new PresignedRequest(method, _origin + path + "?" + query, NoHeaders, now + lifetime);
    }
}
