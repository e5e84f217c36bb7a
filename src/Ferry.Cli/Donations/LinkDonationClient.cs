using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Ferry.Client.Contracts;

namespace Ferry.Cli.Donations;

/// <summary>
/// The calls <c>ferry donate --link</c> makes (docs/api.md, "Donation links"): no account and no S3 credentials, only the
/// link's token in the <c>Ferry-Donation-Link</c> header. Uploads go in chunks at the server's offset; a broken
/// connection, a 5xx or a 429 waits and goes on from the offset the server reports. A refusal (4xx) becomes a
/// <see cref="CliException"/> with exit 2 and the server's sentence; a server that stays unreachable, exit 1.
/// </summary>
internal sealed class LinkDonationClient : IDisposable
{
    private const int MaximumAttempts = 8;
    private readonly HttpClient _http;

    public LinkDonationClient(Uri server, string token, TimeSpan? retryDelay = null)
    {
        Server = server;
        RetryDelay = retryDelay ?? TimeSpan.FromSeconds(2);
        _http = new HttpClient(new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(15) }) { BaseAddress = server, Timeout = TimeSpan.FromMinutes(30) };
        _http.DefaultRequestHeaders.Add("Ferry-Donation-Link", token);
    }

    public Uri Server { get; }

    private TimeSpan RetryDelay { get; }

    public void Dispose() => _http.Dispose();

    /// <summary>The server and the token of a link <c>https://HOST[/BASE]/donate#TOKEN</c>; a usage error for anything else.</summary>
    public static (Uri Server, string Token) Parse(string link)
    {
        if (!Uri.TryCreate(link.Trim(), UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || uri.Fragment.Length < 2
            || !uri.AbsolutePath.TrimEnd('/').EndsWith("/donate", StringComparison.Ordinal))
        {
            throw CliException.Usage("--link must be the donation link the study gave you, like https://ferry.example.org/donate#TOKEN (with the part after '#')");
        }

        var path = uri.AbsolutePath.TrimEnd('/');
        var server = new Uri(uri.GetLeftPart(UriPartial.Authority) + path[..^"donate".Length]);
        return (server, Uri.UnescapeDataString(uri.Fragment[1..]));
    }

    public async Task<LinkInfo> InfoAsync(CancellationToken cancellationToken) =>
        (await SendAsync(() => new HttpRequestMessage(HttpMethod.Get, "api/link"), FerryApiJson.Default.LinkInfo, cancellationToken))!;

    /// <summary>Uploads <paramref name="path"/> (resumable) and returns the upload's id once the server holds every byte.</summary>
    public async Task<string> UploadAsync(string path, string sha256, string consent, CancellationToken cancellationToken)
    {
        var length = new FileInfo(path).Length;
        var started = await SendAsync(() => new HttpRequestMessage(HttpMethod.Post, "api/link/uploads") { Content = JsonContent.Create(new NewLinkUpload(length, sha256, consent), FerryApiJson.Default.NewLinkUpload) },
            FerryApiJson.Default.LinkUploadResponse, cancellationToken);
        var id = started!.Id;
        var chunk = started.ChunkBytes;
        await using var file = File.OpenRead(path);
        var buffer = new byte[chunk];
        long offset = 0;
        var failures = 0;
        while (offset < length)
        {
            file.Seek(offset, SeekOrigin.Begin);
            var count = await file.ReadAtLeastAsync(buffer, (int)Math.Min(chunk, length - offset), throwOnEndOfStream: true, cancellationToken);
            using var request = new HttpRequestMessage(HttpMethod.Patch, $"api/link/uploads/{id}") { Content = new ByteArrayContent(buffer, 0, count) };
            request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/offset+octet-stream");
            request.Headers.Add("Upload-Offset", offset.ToString(System.Globalization.CultureInfo.InvariantCulture));
            try
            {
                using var response = await _http.SendAsync(request, cancellationToken);
                if (response.IsSuccessStatusCode)
                {
                    offset = (await response.Content.ReadFromJsonAsync(FerryApiJson.Default.LinkUploadResponse, cancellationToken))!.Offset;
                    failures = 0;
                    continue;
                }

                if (response.StatusCode == HttpStatusCode.Conflict && response.Headers.TryGetValues("Upload-Offset", out var values)
                    && long.TryParse(values.First(), System.Globalization.CultureInfo.InvariantCulture, out var server) && server <= length && failures < MaximumAttempts)
                {
                    offset = server; // the server holds more or less than we thought: go on from its offset
                    failures++;
                    continue;
                }

                if (!IsTransient(response.StatusCode) || ++failures >= MaximumAttempts)
                {
                    throw await RefusalAsync(response, cancellationToken);
                }

                await Task.Delay(Delay(response, failures), cancellationToken);
            }
            catch (HttpRequestException) when (++failures < MaximumAttempts)
            {
                await Task.Delay(RetryDelay * failures, cancellationToken);
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested && ++failures < MaximumAttempts)
            {
                await Task.Delay(RetryDelay * failures, cancellationToken);
            }

            // After a failure, ask the server how much it holds (a chunk cut off midway keeps what arrived).
            offset = await OffsetAsync(id, cancellationToken);
        }

        return id;
    }

    public async Task<long> OffsetAsync(string id, CancellationToken cancellationToken) =>
        (await SendAsync(() => new HttpRequestMessage(HttpMethod.Get, $"api/link/uploads/{id}"), FerryApiJson.Default.LinkUploadResponse, cancellationToken))!.Offset;

    /// <summary>Asks the server to check, re-key and store the upload; returns once it has (the originals may then be archived).</summary>
    /// <remarks>A 503 (the server is busy checking other donations, or erasing) is sent again after its Retry-After, up to <see cref="MaximumAttempts"/> times.</remarks>
    public async Task<LinkDonationResponse> FinishAsync(string id, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            using var response = await SendOnceAsync(new HttpRequestMessage(HttpMethod.Post, $"api/link/uploads/{id}/finish"), cancellationToken);
            if (response.IsSuccessStatusCode)
            {
                return (await response.Content.ReadFromJsonAsync(FerryApiJson.Default.LinkDonationResponse, cancellationToken))!;
            }

            if (response.StatusCode != System.Net.HttpStatusCode.ServiceUnavailable || attempt == MaximumAttempts)
            {
                throw await RefusalAsync(response, cancellationToken);
            }

            await Task.Delay(response.Headers.RetryAfter?.Delta ?? RetryDelay * attempt, cancellationToken);
        }
    }

    private async Task<HttpResponseMessage> SendOnceAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        try
        {
            return await _http.SendAsync(request, cancellationToken);
        }
        catch (HttpRequestException ex)
        {
            throw new CliException(ExitCodes.SomeFailed, $"cannot reach {Server} ({ex.Message}); nothing was archived, run again");
        }
    }

    /// <summary>A small JSON call, retried on a broken connection, 5xx and 429.</summary>
    private async Task<T?> SendAsync<T>(Func<HttpRequestMessage> request, JsonTypeInfo<T> answer, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                using var message = request();
                using var response = await _http.SendAsync(message, cancellationToken);
                if (response.IsSuccessStatusCode)
                {
                    return await response.Content.ReadFromJsonAsync(answer, cancellationToken);
                }

                if (!IsTransient(response.StatusCode) || attempt >= MaximumAttempts)
                {
                    throw await RefusalAsync(response, cancellationToken);
                }

                await Task.Delay(Delay(response, attempt), cancellationToken);
            }
            catch (HttpRequestException ex)
            {
                if (attempt >= MaximumAttempts)
                {
                    throw new CliException(ExitCodes.SomeFailed, $"cannot reach {Server} ({ex.Message}); nothing was archived, run again");
                }

                await Task.Delay(RetryDelay * attempt, cancellationToken);
            }
        }
    }

    private static bool IsTransient(HttpStatusCode status) => status == HttpStatusCode.TooManyRequests || (int)status >= 500;

    private TimeSpan Delay(HttpResponseMessage response, int attempt) =>
        response.Headers.RetryAfter?.Delta is { } after ? TimeSpan.FromSeconds(Math.Min(after.TotalSeconds, 60)) : RetryDelay * attempt;

    /// <summary>The server's refusal in one line: exit 2 for a 4xx (the link, the consent or the bundle), exit 1 otherwise.</summary>
    private async Task<CliException> RefusalAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        string? detail = null;
        try
        {
            detail = (await response.Content.ReadFromJsonAsync(FerryApiJson.Default.JsonObject, cancellationToken))?["detail"]?.GetValue<string>();
        }
        catch (JsonException)
        {
        }

        var code = (int)response.StatusCode;
        var message = $"{Server} refused the donation ({code}): {detail ?? response.ReasonPhrase}; nothing was archived";
        return new CliException(code is >= 400 and < 500 and not 429 ? ExitCodes.UsageOrSetup : ExitCodes.SomeFailed, message);
    }
}
