using System.Net;
using System.Net.Http.Headers;
using Amazon.Runtime;
using Ferry.Core.Storage;

namespace Ferry.Storage.S3;

/// <summary>
/// PutObject over plain HttpClient with Ferry's own SigV4 signature, for path-style custom endpoints.
/// The SDK's request pipeline (endpoint rules, interceptors, marshalling) costs more CPU per request
/// than the whole rest of a small-file upload; field data is mostly small files, and every core the
/// client does not use is a core the (often local) server gets. The payload hash signed is the
/// SHA-256 Ferry already computed, so bodies are not hashed again. Everything else stays on the SDK.
/// </summary>
internal sealed class S3DirectPut
{
    private const string Service = "s3";

    private readonly HttpClient _http;
    private readonly Uri _endpoint;
    private readonly string _bucket;
    private readonly string _region;
    private readonly AWSCredentials _credentials;
    private readonly string _endpointDescription;
    private readonly TimeProvider _time;
    private (string AccessKey, SigV4Signer Signer)? _signer;

    public S3DirectPut(HttpClient http, Uri endpoint, string bucket, string region, AWSCredentials credentials, string endpointDescription, TimeProvider? time = null)
    {
        _http = http;
        _endpoint = endpoint;
        _bucket = bucket;
        _region = region;
        _credentials = credentials;
        _endpointDescription = endpointDescription;
        _time = time ?? TimeProvider.System;
    }

    public async Task<StoredObject> PutAsync(string key, Stream content, long length, ObjectWriteOptions options, CancellationToken cancellationToken)
    {
        var identity = await _credentials.GetCredentialsAsync().ConfigureAwait(false);
        var signer = SignerFor(identity);
        var basePath = _endpoint.AbsolutePath.TrimEnd('/');
        var path = $"{basePath}/{SigV4Signer.EncodeSegment(_bucket)}/{string.Join('/', key.Split('/').Select(SigV4Signer.EncodeSegment))}";
        var payloadHash = options.Sha256 ?? await HashAsync(content, cancellationToken).ConfigureAwait(false);
        var now = _time.GetUtcNow();
        var host = _endpoint.IsDefaultPort ? _endpoint.Host : $"{_endpoint.Host}:{_endpoint.Port}";

        var signed = new Dictionary<string, string>
        {
            ["host"] = host,
            ["content-length"] = length.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["content-type"] = "application/octet-stream",
            ["x-amz-content-sha256"] = payloadHash,
            ["x-amz-date"] = SigV4Signer.AmzDate(now),
        };
        if (options.ContentMd5 is { } md5)
        {
            signed["content-md5"] = md5;
        }

        if (options.Sha256 is { } sha256)
        {
            signed["x-amz-meta-" + S3ObjectStore.Sha256MetadataName] = sha256;
        }

        if (!string.IsNullOrEmpty(identity.Token))
        {
            signed["x-amz-security-token"] = identity.Token;
        }

        using var request = new HttpRequestMessage(HttpMethod.Put, new Uri(_endpoint.GetLeftPart(UriPartial.Authority) + path));
        request.Headers.ExpectContinue = false;
        request.Headers.TryAddWithoutValidation("Authorization", signer.Authorization("PUT", path, "", signed, payloadHash, now, _region, Service));
        request.Headers.TryAddWithoutValidation("x-amz-date", signed["x-amz-date"]);
        request.Headers.TryAddWithoutValidation("x-amz-content-sha256", payloadHash);
        foreach (var (name, value) in signed.Where(h => h.Key.StartsWith("x-amz-meta-", StringComparison.Ordinal) || h.Key == "x-amz-security-token"))
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        request.Content = new StreamContent(content);
        request.Content.Headers.ContentLength = length;
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        if (options.ContentMd5 is not null)
        {
            request.Content.Headers.TryAddWithoutValidation("Content-MD5", options.ContentMd5);
        }

        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (S3ErrorClassifier.Classify(ex, _bucket, key, _endpointDescription) is { } error)
        {
            throw error;
        }

        using (response)
        {
            if (!response.IsSuccessStatusCode)
            {
                var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
                throw S3ErrorClassifier.FromResponse(response.StatusCode, ErrorCode(body), _bucket, key, _endpointDescription);
            }

            var etag = response.Headers.ETag?.Tag.Trim('"');
            return new StoredObject(key, length, etag, now, options.Sha256);
        }
    }

    private SigV4Signer SignerFor(ImmutableCredentials identity)
    {
        var current = _signer;
        if (current is { } known && known.AccessKey == identity.AccessKey)
        {
            return known.Signer;
        }

        var signer = new SigV4Signer(identity.AccessKey, identity.SecretKey);
        _signer = (identity.AccessKey, signer);
        return signer;
    }

    private static async Task<string> HashAsync(Stream content, CancellationToken cancellationToken)
    {
        var start = content.Position;
        var hash = await Ferry.Core.Hashing.ContentHashes.Sha256HexAsync(content, cancellationToken).ConfigureAwait(false);
        content.Position = start;
        return hash;
    }

    private static string? ErrorCode(string body)
    {
        var start = body.IndexOf("<Code>", StringComparison.Ordinal);
        var end = body.IndexOf("</Code>", StringComparison.Ordinal);
        return start >= 0 && end > start ? body[(start + 6)..end] : null;
    }
}
