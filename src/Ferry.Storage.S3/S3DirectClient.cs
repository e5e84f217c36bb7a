using System.Net.Http.Headers;
using System.Xml;
using Amazon.Runtime;
using Ferry.Core.Storage;

namespace Ferry.Storage.S3;

/// <summary>
/// PutObject, UploadPart, GetObject, HeadObject and ListObjectsV2 over plain HttpClient with Ferry's own SigV4 signature, for path-style
/// custom endpoints. The SDK's request pipeline (endpoint rules, interceptors, marshalling, hashing
/// the body again for the signature) costs more CPU per request than the whole rest of a small-file
/// upload, and a pass over every byte of a large one; every core the client does not use is a core
/// the (often local) server gets. PutObject signs the SHA-256 Ferry already computed; UploadPart
/// signs UNSIGNED-PAYLOAD with a signed Content-MD5, so the body still cannot be altered without
/// breaking the signature or the server's MD5 check. GetObject streams the body as it arrives, with
/// the metadata from the response headers. Listing and HEAD go this way too, so that a transfer with a custom
/// endpoint never runs the SDK's pipeline (loading and compiling it cost a medium download a fifth of its CPU).
/// Everything else stays on the SDK.
/// </summary>
internal sealed class S3DirectClient(HttpClient http, Uri endpoint, string bucket, string region, AWSCredentials credentials, string endpointDescription, TimeProvider? time = null)
{
    private const string Service = "s3";

    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly SigV4SignerCache _signers = new();

    public async Task<StoredObject> PutAsync(string key, Stream content, long length, ObjectWriteOptions options, CancellationToken cancellationToken)
    {
        var payloadHash = options.Sha256 ?? await HashAsync(content, cancellationToken).ConfigureAwait(false);
        var (etag, now) = await SendAsync(key, "", content, length, options.ContentMd5, payloadHash, options.Sha256, cancellationToken).ConfigureAwait(false);
        return new StoredObject(key, length, etag, now, options.Sha256);
    }

    /// <summary>Stores one part; returns its ETag.</summary>
    public async Task<string?> UploadPartAsync(string key, string uploadId, int partNumber, Stream content, long length, string contentMd5, CancellationToken cancellationToken)
    {
        var query = $"partNumber={partNumber.ToString(System.Globalization.CultureInfo.InvariantCulture)}&uploadId={SigV4Signer.EncodeSegment(uploadId)}";
        var (etag, _) = await SendAsync(key, query, content, length, contentMd5, "UNSIGNED-PAYLOAD", null, cancellationToken).ConfigureAwait(false);
        return etag;
    }

    /// <summary>Opens bytes of an object (a range when <paramref name="offset"/> or <paramref name="length"/> say so).</summary>
    public async Task<ObjectContent> GetAsync(string key, long offset, long? length, CancellationToken cancellationToken)
    {
        var range = offset > 0 || length is not null ? new RangeHeaderValue(offset, length is { } count ? offset + count - 1 : null) : null;
        var response = await SendBodilessAsync(HttpMethod.Get, PathOf(key), "", range, key, cancellationToken).ConfigureAwait(false);
        try
        {
            var info = ObjectFrom(key, response, response.Content.Headers.ContentRange?.Length ?? response.Content.Headers.ContentLength ?? 0);
            var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            return new ObjectContent(info, new ResponseBodyStream(stream, response));
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }

    /// <summary>HeadObject: the object's size, ETag, time and SHA-256 metadata; null when there is no such object.</summary>
    public async Task<StoredObject?> HeadAsync(string key, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await SendBodilessAsync(HttpMethod.Head, PathOf(key), "", null, key, cancellationToken).ConfigureAwait(false);
            return ObjectFrom(key, response, response.Content.Headers.ContentLength ?? 0);
        }
        catch (StoreException ex) when (ex.Kind == StoreErrorKind.NotFound)
        {
            return null;
        }
    }

    /// <summary>
    /// One ListObjectsV2 page (flat, <c>encoding-type=url</c>): the objects and the token of the next page (null on the last).
    /// <paramref name="startAfter"/> applies to the first page only; later pages pass <paramref name="continuationToken"/>.
    /// </summary>
    public async Task<(List<StoredObject> Objects, string? NextToken)> ListPageAsync(string prefix, string? startAfter, string? continuationToken, int maxKeys, CancellationToken cancellationToken)
    {
        // Sorted by name and encoded exactly as signed.
        var query = new List<(string Name, string Value)>();
        if (continuationToken is not null)
        {
            query.Add(("continuation-token", continuationToken));
        }

        query.Add(("encoding-type", "url"));
        query.Add(("list-type", "2"));
        query.Add(("max-keys", maxKeys.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        if (prefix.Length > 0)
        {
            query.Add(("prefix", prefix));
        }

        if (continuationToken is null && !string.IsNullOrEmpty(startAfter))
        {
            query.Add(("start-after", startAfter));
        }

        var canonicalQuery = string.Join('&', query.Select(p => SigV4Signer.EncodeSegment(p.Name) + "=" + SigV4Signer.EncodeSegment(p.Value)));
        var path = $"{endpoint.AbsolutePath.TrimEnd('/')}/{SigV4Signer.EncodeSegment(bucket)}/";
        using var response = await SendBodilessAsync(HttpMethod.Get, path, canonicalQuery, null, prefix, cancellationToken).ConfigureAwait(false);
        try
        {
            var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            await using (body.ConfigureAwait(false))
            {
                return await S3ListingParser.ParseAsync(body, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (S3ErrorClassifier.Classify(ex, bucket, prefix, endpointDescription) is { } error)
        {
            // The connection failed while the page's body was read: a reset, as if it had failed before the answer.
            throw error;
        }
        catch (XmlException ex)
        {
            // A body cut short is a failed request, not a page: retried, and never read as a shorter one.
            throw new StoreException(StoreErrorKind.Transient, $"{endpointDescription} sent a listing of s3://{bucket}/{prefix} that broke off: {ex.Message}", ex);
        }
        catch (Exception ex) when (ex is FormatException or OverflowException)
        {
            // A whole element with a value that is not a size or a date: the same answer would come again.
            throw new StoreException(StoreErrorKind.Other, $"{endpointDescription} sent a listing of s3://{bucket}/{prefix} with a value that is not S3's: {ex.Message}", ex);
        }
    }

    /// <summary>Sends a signed request without a body (GET, HEAD); a non-success answer is thrown as a classified <see cref="StoreException"/>.</summary>
    private async Task<HttpResponseMessage> SendBodilessAsync(HttpMethod method, string path, string canonicalQuery, RangeHeaderValue? range, string keyForErrors, CancellationToken cancellationToken)
    {
        var identity = await IdentityAsync(cancellationToken).ConfigureAwait(false);
        var now = _time.GetUtcNow();
        const string emptyPayload = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
        var signed = new Dictionary<string, string>
        {
            ["host"] = Host,
            ["x-amz-content-sha256"] = emptyPayload,
            ["x-amz-date"] = SigV4Signer.AmzDate(now),
        };
        if (!string.IsNullOrEmpty(identity.Token))
        {
            signed["x-amz-security-token"] = identity.Token;
        }

        var target = endpoint.GetLeftPart(UriPartial.Authority) + path + (canonicalQuery.Length == 0 ? "" : "?" + canonicalQuery);
        using var request = new HttpRequestMessage(method, new Uri(target));
        request.Headers.TryAddWithoutValidation("Authorization", _signers.For(identity).Authorization(method.Method, path, canonicalQuery, signed, emptyPayload, now, region, Service));
        foreach (var (name, value) in signed.Where(h => h.Key != "host"))
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        request.Headers.Range = range;
        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (S3ErrorClassifier.Classify(ex, bucket, keyForErrors, endpointDescription) is { } error)
        {
            throw error;
        }

        if (!response.IsSuccessStatusCode)
        {
            using (response)
            {
                var body = method == HttpMethod.Head ? "" : await ErrorBodyAsync(response, keyForErrors, cancellationToken).ConfigureAwait(false);
                throw S3ErrorClassifier.FromResponse(response.StatusCode, ErrorCode(body), bucket, keyForErrors, endpointDescription);
            }
        }

        return response;
    }

    private static StoredObject ObjectFrom(string key, HttpResponseMessage response, long size)
    {
        var sha256 = response.Headers.TryGetValues("x-amz-meta-" + S3ObjectStore.Sha256MetadataName, out var values) ? values.FirstOrDefault() : null;
        return new StoredObject(key, size, response.Headers.ETag?.Tag.Trim('"'), response.Content.Headers.LastModified ?? DateTimeOffset.MinValue, string.IsNullOrEmpty(sha256) ? null : sha256);
    }

    private string Host => endpoint.IsDefaultPort ? endpoint.Host : $"{endpoint.Host}:{endpoint.Port}";

    private string PathOf(string key) =>
        $"{endpoint.AbsolutePath.TrimEnd('/')}/{SigV4Signer.EncodeSegment(bucket)}/{string.Join('/', key.Split('/').Select(SigV4Signer.EncodeSegment))}";

    /// <param name="canonicalQuery">Already sorted by name and encoded, as signed and sent.</param>
    private async Task<(string? ETag, DateTimeOffset At)> SendAsync(string key, string canonicalQuery, Stream content, long length, string? contentMd5, string payloadHash, string? sha256Metadata, CancellationToken cancellationToken)
    {
        var identity = await IdentityAsync(cancellationToken).ConfigureAwait(false);
        var signer = _signers.For(identity);
        var path = PathOf(key);
        var now = _time.GetUtcNow();

        var signed = new Dictionary<string, string>
        {
            ["host"] = Host,
            ["content-length"] = length.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["content-type"] = "application/octet-stream",
            ["x-amz-content-sha256"] = payloadHash,
            ["x-amz-date"] = SigV4Signer.AmzDate(now),
        };
        if (contentMd5 is { } md5)
        {
            signed["content-md5"] = md5;
        }

        if (sha256Metadata is { } sha256)
        {
            signed["x-amz-meta-" + S3ObjectStore.Sha256MetadataName] = sha256;
        }

        if (!string.IsNullOrEmpty(identity.Token))
        {
            signed["x-amz-security-token"] = identity.Token;
        }

        var target = endpoint.GetLeftPart(UriPartial.Authority) + path + (canonicalQuery.Length == 0 ? "" : "?" + canonicalQuery);
        using var request = new HttpRequestMessage(HttpMethod.Put, new Uri(target));
        request.Headers.ExpectContinue = false;
        request.Headers.TryAddWithoutValidation("Authorization", signer.Authorization("PUT", path, canonicalQuery, signed, payloadHash, now, region, Service));
        request.Headers.TryAddWithoutValidation("x-amz-date", signed["x-amz-date"]);
        request.Headers.TryAddWithoutValidation("x-amz-content-sha256", payloadHash);
        foreach (var (name, value) in signed.Where(h => h.Key.StartsWith("x-amz-meta-", StringComparison.Ordinal) || h.Key == "x-amz-security-token"))
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        request.Content = new StreamContent(content);
        request.Content.Headers.ContentLength = length;
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        if (contentMd5 is not null)
        {
            request.Content.Headers.TryAddWithoutValidation("Content-MD5", contentMd5);
        }

        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (S3ErrorClassifier.Classify(ex, bucket, key, endpointDescription) is { } error)
        {
            throw error;
        }

        using (response)
        {
            if (!response.IsSuccessStatusCode)
            {
                var body = await ErrorBodyAsync(response, key, cancellationToken).ConfigureAwait(false);
                throw S3ErrorClassifier.FromResponse(response.StatusCode, ErrorCode(body), bucket, key, endpointDescription);
            }

            return (response.Headers.ETag?.Tag.Trim('"'), now);
        }
    }

    /// <summary>
    /// The credentials to sign with. A source that fails (a refresh of a role's, a profile's or the instance's
    /// credentials, whatever it throws) is a <see cref="StoreException"/> of kind InvalidCredentials naming the cause,
    /// never a raw exception for the caller to meet (the server catches only store errors); the caller's cancellation
    /// stays a cancellation.
    /// </summary>
    private async Task<ImmutableCredentials> IdentityAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await credentials.GetCredentialsAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new StoreException(StoreErrorKind.InvalidCredentials, $"the credentials to sign requests to {endpointDescription} could not be obtained: {ex.Message.Split('\n')[0]}", ex);
        }
    }

    /// <summary>An error answer's body (for its Code); a connection that breaks while it is read is a classified network failure.</summary>
    private async Task<string> ErrorBodyAsync(HttpResponseMessage response, string keyForErrors, CancellationToken cancellationToken)
    {
        try
        {
            return await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (S3ErrorClassifier.Classify(ex, bucket, keyForErrors, endpointDescription) is { } error)
        {
            throw error;
        }
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
