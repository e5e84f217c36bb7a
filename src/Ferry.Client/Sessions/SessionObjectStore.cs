using System.Collections.Concurrent;
using System.Net;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Ferry.Client.Contracts;
using Ferry.Core.Duplicates;
using Ferry.Core.Storage;

namespace Ferry.Client.Sessions;

/// <summary>
/// A store that writes through a Ferry server's upload session: every PUT goes straight to S3 with a URL the server
/// presigned (fetched in batches ahead of the workers), and counts as written only once the server has checked the
/// object in S3 (size, MD5 ETag, SHA-256) and marked the file uploaded — or, when this store runs inside the server (a
/// job), has taken S3's answer to the PUT as the proof (<see cref="ISessionApi.CompleteWitnessedAsync"/>). The client
/// needs no S3 credentials.
/// Listing answers from the session's registration: what the server already holds verified, with its ETag and SHA-256.
/// It is the write side of a store only (<see cref="IWritableObjectStore"/>, with multipart): the session grants uploads,
/// not reads or deletes, so it does not promise them.
/// </summary>
public sealed class SessionObjectStore : IWritableObjectStore, IMultipartObjectStore, IContentIndex, IDisposable
{
    /// <summary>Paths presigned per call; the next call is made ahead, once fewer than half a batch's URLs are left unused.</summary>
    private const int PresignBatch = 500;

    private readonly ISessionApi _api;
    private readonly long _sessionId;
    private readonly string _prefix;
    private readonly string _bucket;
    private readonly HttpClient _s3;
    private readonly bool _ownsS3;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<string, StoredObject> _known = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, (PresignedUpload Url, DateTimeOffset Fetched)> _urls = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string?> _multipartSha256 = new(StringComparer.Ordinal);
    private readonly List<string> _pending;
    private readonly Dictionary<string, DateTimeOffset> _registeredAt = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _presigning = new(1, 1);
    private readonly Channel<Verification> _verifications = Channel.CreateUnbounded<Verification>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Task _verifier;
    private readonly CancellationTokenSource _closing = new();
    private int _prefetched;
    private int _handedOut;
    private readonly Lock _prefetchLock = new();
    private Task _prefetching = Task.CompletedTask;

    private sealed record Verification(string Path, long? SentBytes, string? ETag, string? Md5, string? Sha256, TaskCompletionSource<CompletedFileResult> Verdict);

    /// <param name="registered">The session's files as the server registered them (keys start with <paramref name="prefix"/>).</param>
    /// <param name="s3">The client the PUTs to presigned URLs go through (owned by the caller), e.g. one whose connections pass the server's endpoint guard; null: the store's own.</param>
    public SessionObjectStore(ISessionApi api, long sessionId, string bucket, string prefix, IEnumerable<(RegisteredFileResponse File, long Size, DateTimeOffset LastModified)> registered, TimeProvider? time = null, HttpClient? s3 = null)
    {
        _api = api;
        _sessionId = sessionId;
        _bucket = bucket;
        _prefix = prefix;
        _time = time ?? TimeProvider.System;
        _ownsS3 = s3 is null;
        _s3 = s3 ?? new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 64, PooledConnectionLifetime = TimeSpan.FromMinutes(5), ConnectTimeout = TimeSpan.FromSeconds(15) }) { Timeout = TimeSpan.FromMinutes(5) };
        _pending = [];
        _verifier = Task.Run(VerifyBatchesAsync);
        foreach (var (file, size, lastModified) in registered)
        {
            _registeredAt[PathOf(file.Key)] = lastModified;
            if (file.Status == "uploaded")
            {
                var sha256 = file.Checksum is { } c && c.StartsWith("sha256:", StringComparison.Ordinal) ? c[7..] : null;
                _known[file.Key] = new StoredObject(file.Key, size, file.Etag, default, sha256);
            }
            else
            {
                _pending.Add(PathOf(file.Key));
            }
        }
    }

    public string Description => $"s3://{_bucket}";

    public string Identity => $"ferry:{_api.Server.GetLeftPart(UriPartial.Authority)}/{_bucket}";

    public long MinimumPartSize => 5L * 1024 * 1024;

    public async IAsyncEnumerable<StoredObject> ListAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await Task.CompletedTask.ConfigureAwait(false);
        foreach (var known in _known.Values.Where(o => o.Key.StartsWith(prefix, StringComparison.Ordinal)).OrderBy(o => o.Key, StringComparer.Ordinal))
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return known;
        }
    }

    public Task<StoredObject?> HeadAsync(string key, CancellationToken cancellationToken) =>
        Task.FromResult(_known.TryGetValue(key, out var known) ? known : null);

    public async Task<StoredObject> PutAsync(string key, Stream content, long length, ObjectWriteOptions options, CancellationToken cancellationToken)
    {
        var path = PathOf(key);
        var presigned = await UrlAsync(path, cancellationToken).ConfigureAwait(false);
        using var body = new StreamContent(content);
        body.Headers.ContentLength = length;
        var etag = await PutToS3Async(presigned.Url, presigned.Headers, body, options.ContentMd5, () => _urls.TryRemove(path, out _), cancellationToken).ConfigureAwait(false);
        // With Content-MD5 sent, S3's answer to this PUT is a proof the server itself may take when this store runs inside it.
        var md5 = options.ContentMd5 is { } sent ? Convert.ToHexStringLower(Convert.FromBase64String(sent)) : null;
        return await VerifyAsync(key, path, length, md5 is null ? null : length, etag, md5, options.Sha256, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The project's content index on the server. Asked only when the run skips duplicates: the file is registered
    /// again with its SHA-256 and skip_duplicates, so the server records the decision in the session (status skipped,
    /// duplicate_of). Without --skip-duplicates the server finds duplicates itself when it verifies the upload.
    /// </summary>
    public async Task<string?> FindDuplicateAsync(string key, long size, string sha256, bool skip, CancellationToken cancellationToken)
    {
        var path = PathOf(key);
        if (!skip || !_registeredAt.TryGetValue(path, out var lastModified))
        {
            return null;
        }

        var answers = await CallAsync(() => _api.RegisterHashedAsync(_sessionId, [(path, size, lastModified, sha256)], skipDuplicates: true, cancellationToken), sessionCall: true).ConfigureAwait(false);
        return answers is [{ Status: "duplicate", DuplicateOf: { } copy }] ? copy : null;
    }

    public async Task CheckAccessAsync(CancellationToken cancellationToken) =>
        await CallAsync(() => _api.SessionAsync(_sessionId, cancellationToken), sessionCall: true).ConfigureAwait(false);

    public async Task<string> StartMultipartAsync(string key, ObjectWriteOptions options, CancellationToken cancellationToken)
    {
        var uploadId = await CallAsync(() => _api.CreateMultipartAsync(_sessionId, PathOf(key), options.Sha256, cancellationToken), sessionCall: true).ConfigureAwait(false);
        _multipartSha256[uploadId] = options.Sha256;
        return uploadId;
    }

    public async Task<StoredPart> UploadPartAsync(string key, string uploadId, int partNumber, ReadOnlyMemory<byte> body, string contentMd5, CancellationToken cancellationToken)
    {
        var signed = await CallAsync(() => _api.SignPartsAsync(_sessionId, uploadId, [partNumber], cancellationToken), sessionCall: false).ConfigureAwait(false);
        using var content = new ReadOnlyMemoryContent(body);
        content.Headers.ContentLength = body.Length;
        var etag = await PutToS3Async(signed[0].Url, signed[0].Headers, content, contentMd5, () => { }, cancellationToken).ConfigureAwait(false);
        return new StoredPart(partNumber, body.Length, etag ?? throw new StoreException(StoreErrorKind.Transient, "S3 sent no ETag for the part"));
    }

    public async IAsyncEnumerable<StoredPart> ListPartsAsync(string key, string uploadId, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        List<PartResponse> parts;
        try
        {
            parts = await CallAsync(() => _api.ListPartsAsync(_sessionId, uploadId, cancellationToken), sessionCall: false).ConfigureAwait(false);
        }
        catch (StoreException ex) when (ex.Kind == StoreErrorKind.Other && ex.InnerException is FerryApiException { Status: HttpStatusCode.NotImplemented })
        {
            throw new StoreException(StoreErrorKind.NotSupported, ex.Message, ex);
        }

        foreach (var part in parts)
        {
            yield return new StoredPart(part.PartNumber, part.Size, part.Etag);
        }
    }

    public async Task<StoredObject> CompleteMultipartAsync(string key, string uploadId, IReadOnlyList<StoredPart> parts, CancellationToken cancellationToken)
    {
        var etag = await CallAsync(() => _api.CompleteMultipartAsync(_sessionId, uploadId, parts.Select(p => (p.PartNumber, p.ETag)), cancellationToken), sessionCall: false).ConfigureAwait(false);
        _multipartSha256.TryRemove(uploadId, out var sha256);
        return await VerifyAsync(key, PathOf(key), parts.Sum(p => p.Size), sentBytes: null, etag, null, sha256, cancellationToken).ConfigureAwait(false);
    }

    public async Task AbortMultipartAsync(string key, string uploadId, CancellationToken cancellationToken)
    {
        try
        {
            await CallAsync(async () =>
            {
                await _api.AbortMultipartAsync(_sessionId, uploadId, cancellationToken).ConfigureAwait(false);
                return true;
            }, sessionCall: false).ConfigureAwait(false);
        }
        catch (StoreException ex) when (ex.Kind == StoreErrorKind.NotFound)
        {
            // Already gone.
        }
    }

    public void Dispose()
    {
        _verifications.Writer.TryComplete();
        _verifier.Wait(TimeSpan.FromSeconds(30));
        _closing.Cancel();
        _prefetching.ContinueWith(_ => { }, TaskScheduler.Default).Wait(TimeSpan.FromSeconds(30));
        _closing.Dispose();
        if (_ownsS3)
        {
            _s3.Dispose();
        }

        _presigning.Dispose();
    }

    private string PathOf(string key) => key.StartsWith(_prefix, StringComparison.Ordinal)
        ? key[_prefix.Length..]
        : throw new StoreException(StoreErrorKind.Other, $"the key {key} is outside the session's prefix {_prefix}");

    /// <summary>
    /// Asks the server to check the object and mark the file uploaded; a failed check is an integrity mismatch (the
    /// engine retries). <paramref name="sentBytes"/>: what a single PUT with Content-MD5 sent (its answer proves the
    /// upload to a server running this store itself), else null. Requests of all workers are sent together (see <see cref="VerifyBatchesAsync"/>).
    /// </summary>
    private async Task<StoredObject> VerifyAsync(string key, string path, long size, long? sentBytes, string? etag, string? md5, string? sha256, CancellationToken cancellationToken)
    {
        var request = new Verification(path, sentBytes, etag, md5, sha256, new TaskCompletionSource<CompletedFileResult>(TaskCreationOptions.RunContinuationsAsynchronously));
        await _verifications.Writer.WriteAsync(request, cancellationToken).ConfigureAwait(false);
        var verdict = await request.Verdict.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        if (verdict.Status != "uploaded")
        {
            throw new StoreException(StoreErrorKind.IntegrityMismatch, $"the Ferry server found the object wrong: {verdict.Error}");
        }

        var stored = new StoredObject(key, size, verdict.Etag ?? etag, _time.GetUtcNow(), sha256);
        _known[key] = stored;
        return stored;
    }

    /// <summary>
    /// Sends waiting verification requests, each with the bytes its PUT sent (<see cref="ISessionApi.CompleteWitnessedAsync"/>), in one call each time, up to the server's limit
    /// (<see cref="ApiLimits.MaximumCompleteBatch"/>), so that the workers cost the server one request, one transaction
    /// and a listing page per folder per batch (it proves small objects from listings) instead of work per file.
    /// Requests that queued while the previous call ran are sent at once; a request arriving when none waits is
    /// gathered with others for at most 20 ms.
    /// </summary>
    private async Task VerifyBatchesAsync()
    {
        var reader = _verifications.Reader;
        var batch = new List<Verification>();
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            batch.Clear();
            var backlog = reader.CanCount && reader.Count > 1;
            using (var gather = new CancellationTokenSource(TimeSpan.FromMilliseconds(20)))
            {
                try
                {
                    while (batch.Count < ApiLimits.MaximumCompleteBatch)
                    {
                        if (reader.TryRead(out var next))
                        {
                            batch.Add(next);
                        }
                        else if (batch.Count == 0 || backlog || !await reader.WaitToReadAsync(gather.Token).ConfigureAwait(false))
                        {
                            break;
                        }
                    }
                }
                catch (OperationCanceledException) when (gather.IsCancellationRequested)
                {
                    // Gathered long enough: send what there is.
                }
            }

            if (batch.Count == 0)
            {
                continue;
            }

            try
            {
                var verdicts = await CallAsync(() => _api.CompleteWitnessedAsync(_sessionId, batch.Select(v => (new CompletedFile(v.Path, v.ETag, v.Md5, v.Sha256), v.SentBytes)), CancellationToken.None), sessionCall: true).ConfigureAwait(false);
                for (var i = 0; i < batch.Count; i++)
                {
                    batch[i].Verdict.TrySetResult(verdicts[i]);
                }
            }
            catch (Exception ex)
            {
                foreach (var waiting in batch)
                {
                    waiting.Verdict.TrySetException(ex);
                }
            }
        }
    }

    /// <summary>
    /// A presigned URL for <paramref name="path"/>, fetched together with the next pending paths' URLs. The next batch
    /// is asked for ahead, in the background, once fewer than half a batch of fetched URLs are left unused, so that the
    /// workers rarely wait for a presign call.
    /// </summary>
    private async Task<PresignedUpload> UrlAsync(string path, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _handedOut);
        if (Usable(path) is { } ready)
        {
            PrefetchIfLow();
            return ready;
        }

        await _presigning.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (Usable(path) is not { } fetched)
            {
                await FetchBatchAsync(path, cancellationToken).ConfigureAwait(false);
                fetched = _urls[path].Url;
            }

            PrefetchIfLow();
            return fetched;
        }
        finally
        {
            _presigning.Release();
        }
    }

    /// <summary>Starts fetching the next batch of URLs when few fetched ones are left unused and none is being fetched.</summary>
    private void PrefetchIfLow()
    {
        if (Volatile.Read(ref _prefetched) >= _pending.Count
            || Volatile.Read(ref _prefetched) - Volatile.Read(ref _handedOut) >= PresignBatch / 2
            || !_prefetching.IsCompleted
            || _closing.IsCancellationRequested)
        {
            return;
        }

        lock (_prefetchLock)
        {
            if (_prefetching.IsCompleted)
            {
                _prefetching = Task.Run(PrefetchAsync);
            }
        }
    }

    /// <summary>The next batch of pending paths' URLs, ahead of the workers; a failure is left to the worker that needs the URL (it asks again and sees the error).</summary>
    private async Task PrefetchAsync()
    {
        var token = _closing.Token;
        try
        {
            await _presigning.WaitAsync(token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return;
        }

        try
        {
            await FetchBatchAsync(null, token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is StoreException or OperationCanceledException)
        {
            // The worker that needs one of these URLs asks for it itself.
        }
        finally
        {
            _presigning.Release();
        }
    }

    /// <summary>Fetches URLs for <paramref name="path"/> (if given) and the next pending paths without one; the caller holds <see cref="_presigning"/>.</summary>
    private async Task FetchBatchAsync(string? path, CancellationToken cancellationToken)
    {
        var batch = path is null ? new List<string>() : [path];
        var next = _prefetched;
        while (batch.Count < PresignBatch && next < _pending.Count)
        {
            var candidate = _pending[next++];
            if (candidate != path && Usable(candidate) is null)
            {
                batch.Add(candidate);
            }
        }

        if (batch.Count == 0)
        {
            return;
        }

        var signed = await CallAsync(() => _api.PresignAsync(_sessionId, batch, cancellationToken), sessionCall: true).ConfigureAwait(false);
        var signedAt = _time.GetUtcNow();
        foreach (var url in signed)
        {
            _urls[url.Path] = (url, signedAt);
        }

        Volatile.Write(ref _prefetched, next);
    }

    /// <summary>The cached URL while in the first three quarters of its life (whatever lifetime the server gives), else null.</summary>
    private PresignedUpload? Usable(string path) =>
        _urls.TryGetValue(path, out var cached) && _time.GetUtcNow() < cached.Fetched + ((cached.Url.ExpiresAt - cached.Fetched) * 0.75) ? cached.Url : null;

    private async Task<string?> PutToS3Async(string url, IReadOnlyDictionary<string, string> headers, HttpContent body, string? contentMd5, Action onRefused, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Put, url) { Content = body };
        foreach (var (name, value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        if (contentMd5 is not null)
        {
            body.Headers.ContentMD5 = Convert.FromBase64String(contentMd5);
        }

        HttpResponseMessage response;
        try
        {
            response = await _s3.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException ex)
        {
            throw new StoreException(StoreErrorKind.Transient, $"the PUT to S3 failed: {ex.Message}", ex);
        }

        using (response)
        {
            if (response.IsSuccessStatusCode)
            {
                return response.Headers.ETag?.Tag.Trim('"');
            }

            var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            var code = Between(text, "<Code>", "</Code>") ?? response.StatusCode.ToString();
            // A refused URL (expired, clock skew) is thrown away; the retry asks for a fresh one.
            onRefused();
            throw new StoreException(
                response.StatusCode is HttpStatusCode.ServiceUnavailable or HttpStatusCode.TooManyRequests ? StoreErrorKind.Throttled
                : code == "BadDigest" ? StoreErrorKind.IntegrityMismatch
                : StoreErrorKind.Transient,
                $"S3 refused the presigned PUT: {(int)response.StatusCode} {code}");
        }
    }

    private static string? Between(string text, string start, string end)
    {
        var from = text.IndexOf(start, StringComparison.Ordinal);
        var to = text.IndexOf(end, StringComparison.Ordinal);
        return from >= 0 && to > from ? text[(from + start.Length)..to] : null;
    }

    /// <summary>Calls the Ferry server; its errors become store errors the engine understands (sign-in and session problems stop the run).</summary>
    private static async Task<T> CallAsync<T>(Func<Task<T>> call, bool sessionCall)
    {
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (FerryApiException ex)
        {
            var kind = ex.Status switch
            {
                null => StoreErrorKind.Unreachable,
                HttpStatusCode.Unauthorized => StoreErrorKind.InvalidCredentials,
                HttpStatusCode.Forbidden or HttpStatusCode.Conflict => StoreErrorKind.AccessDenied,
                HttpStatusCode.NotFound => sessionCall ? StoreErrorKind.ContainerNotFound : StoreErrorKind.NotFound,
                HttpStatusCode.TooManyRequests or HttpStatusCode.ServiceUnavailable => StoreErrorKind.Throttled,
                >= HttpStatusCode.InternalServerError and not HttpStatusCode.NotImplemented => StoreErrorKind.Transient,
                _ => StoreErrorKind.Other,
            };
            throw new StoreException(kind, ex.Message, ex);
        }
    }
}
