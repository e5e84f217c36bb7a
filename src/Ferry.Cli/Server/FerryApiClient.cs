using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Ferry.Cli.Server;

internal sealed record ApiProject(long Id, string Name, string BucketName, string Region, string? EndpointUrl);

internal sealed record ApiCycle(long Id, long ProjectId, string Name, string S3Prefix);

internal sealed record ApiSession(long Id, string Status, string Bucket, string Prefix, long TotalFiles, long UploadedFiles, long SkippedFiles, long FailedFiles, long PendingFiles);

internal sealed record ApiRegisteredFile(string Path, string Key, string Status, string? Etag, string? Checksum, string? DuplicateOf = null);

internal sealed record ApiPresigned(string Path, string Key, string Method, string Url, Dictionary<string, string> Headers, DateTimeOffset ExpiresAt);

internal sealed record ApiCompleted(string Path, string Status, string? Error, string? Etag);

internal sealed record ApiSignedPart(int PartNumber, string Method, string Url, Dictionary<string, string> Headers);

internal sealed record ApiPart(int PartNumber, long Size, string Etag);

internal sealed record ApiRoot(string Path, DateTimeOffset CreatedAt);

internal sealed record ApiJob(long Id, long ProjectId, long CycleId, long SessionId, string LocalDirectory, string Status, string? Worker, DateTimeOffset? HeartbeatAt,
    int Attempts, bool CancelRequested, string? Message, DateTimeOffset CreatedAt, DateTimeOffset? StartedAt, DateTimeOffset? FinishedAt);

/// <summary>
/// The calls the CLI makes to a Ferry server (docs/api.md), JSON in snake_case. Errors become <see cref="FerryApiException"/>
/// carrying the server's problem detail, or "cannot reach" when the server does not answer.
/// </summary>
internal sealed class FerryApiClient : IDisposable
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    private readonly HttpClient _http;

    public FerryApiClient(Uri server, string? token, TimeSpan? timeout = null)
    {
        Server = server;
        _http = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5), ConnectTimeout = TimeSpan.FromSeconds(15) })
        {
            BaseAddress = server,
            Timeout = timeout ?? TimeSpan.FromMinutes(2),
        };
        if (token is not null)
        {
            _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
    }

    public Uri Server { get; }

    /// <summary>Signs in; returns the token and its lifetime in seconds.</summary>
    public async Task<(string Token, int ExpiresIn)> LoginAsync(string username, string password, CancellationToken cancellationToken)
    {
        var body = await SendAsync(HttpMethod.Post, "api/auth/login", new { username, password }, cancellationToken).ConfigureAwait(false);
        return (body!["access_token"]!.GetValue<string>(), body["expires_in"]!.GetValue<int>());
    }

    public async Task<List<ApiProject>> ProjectsAsync(CancellationToken cancellationToken) =>
        await GetAsync<List<ApiProject>>("api/projects", cancellationToken).ConfigureAwait(false);

    public async Task<List<ApiCycle>> CyclesAsync(long projectId, CancellationToken cancellationToken) =>
        await GetAsync<List<ApiCycle>>($"api/projects/{projectId}/cycles", cancellationToken).ConfigureAwait(false);

    public async Task<ApiSession> CreateSessionAsync(long projectId, long cycleId, string localDirectory, CancellationToken cancellationToken) =>
        Convert<ApiSession>(await SendAsync(HttpMethod.Post, "api/sessions", new { project_id = projectId, cycle_id = cycleId, local_directory = localDirectory, client = "cli" }, cancellationToken).ConfigureAwait(false));

    public async Task<ApiSession> SessionAsync(long sessionId, CancellationToken cancellationToken) =>
        await GetAsync<ApiSession>($"api/sessions/{sessionId}", cancellationToken).ConfigureAwait(false);

    public async Task<ApiSession> FinishAsync(long sessionId, CancellationToken cancellationToken) =>
        Convert<ApiSession>(await SendAsync(HttpMethod.Post, $"api/sessions/{sessionId}/finish", new { }, cancellationToken).ConfigureAwait(false));

    public async Task<List<ApiRegisteredFile>> RegisterAsync(long sessionId, IEnumerable<(string Path, long Size, DateTimeOffset LastModified)> files, CancellationToken cancellationToken)
    {
        var body = await SendAsync(HttpMethod.Post, $"api/sessions/{sessionId}/files", new { files = files.Select(f => new { path = f.Path, size = f.Size, last_modified = f.LastModified }) }, cancellationToken).ConfigureAwait(false);
        return Convert<List<ApiRegisteredFile>>(body!["files"]);
    }

    /// <summary>Registers files again with their SHA-256 (the project's content index decides); with <paramref name="skipDuplicates"/> a duplicate comes back <c>duplicate</c>.</summary>
    public async Task<List<ApiRegisteredFile>> RegisterHashedAsync(long sessionId, IEnumerable<(string Path, long Size, DateTimeOffset LastModified, string Sha256)> files, bool skipDuplicates, CancellationToken cancellationToken)
    {
        var body = await SendAsync(HttpMethod.Post, $"api/sessions/{sessionId}/files", new
        {
            files = files.Select(f => new { path = f.Path, size = f.Size, last_modified = f.LastModified, sha256 = f.Sha256 }),
            skip_duplicates = skipDuplicates,
        }, cancellationToken).ConfigureAwait(false);
        return Convert<List<ApiRegisteredFile>>(body!["files"]);
    }

    public async Task<List<ApiPresigned>> PresignAsync(long sessionId, IReadOnlyList<string> paths, CancellationToken cancellationToken)
    {
        var body = await SendAsync(HttpMethod.Post, $"api/sessions/{sessionId}/presign", new { paths }, cancellationToken).ConfigureAwait(false);
        return Convert<List<ApiPresigned>>(body!["uploads"]);
    }

    public async Task<List<ApiCompleted>> CompleteAsync(long sessionId, IEnumerable<(string Path, string? ETag, string? Md5, string? Sha256)> files, CancellationToken cancellationToken)
    {
        var body = await SendAsync(HttpMethod.Post, $"api/sessions/{sessionId}/complete", new { files = files.Select(f => new { path = f.Path, etag = f.ETag, md5 = f.Md5, sha256 = f.Sha256 }) }, cancellationToken).ConfigureAwait(false);
        return Convert<List<ApiCompleted>>(body!["files"]);
    }

    public async Task<string> CreateMultipartAsync(long sessionId, string path, string? sha256, CancellationToken cancellationToken)
    {
        var body = await SendAsync(HttpMethod.Post, $"api/sessions/{sessionId}/multipart", new { path, sha256 }, cancellationToken).ConfigureAwait(false);
        return body!["upload_id"]!.GetValue<string>();
    }

    public async Task<List<ApiSignedPart>> SignPartsAsync(long sessionId, string uploadId, IReadOnlyList<int> partNumbers, CancellationToken cancellationToken)
    {
        var body = await SendAsync(HttpMethod.Post, $"api/sessions/{sessionId}/multipart/{Uri.EscapeDataString(uploadId)}/parts", new { part_numbers = partNumbers }, cancellationToken).ConfigureAwait(false);
        return Convert<List<ApiSignedPart>>(body!["parts"]);
    }

    public async Task<List<ApiPart>> ListPartsAsync(long sessionId, string uploadId, CancellationToken cancellationToken)
    {
        var body = await SendAsync(HttpMethod.Get, $"api/sessions/{sessionId}/multipart/{Uri.EscapeDataString(uploadId)}", null, cancellationToken).ConfigureAwait(false);
        return Convert<List<ApiPart>>(body!["parts"]);
    }

    public async Task<string?> CompleteMultipartAsync(long sessionId, string uploadId, IEnumerable<(int PartNumber, string ETag)> parts, CancellationToken cancellationToken)
    {
        var body = await SendAsync(HttpMethod.Post, $"api/sessions/{sessionId}/multipart/{Uri.EscapeDataString(uploadId)}/complete",
            new { parts = parts.Select(p => new { part_number = p.PartNumber, etag = p.ETag }) }, cancellationToken).ConfigureAwait(false);
        return body!["etag"]?.GetValue<string>();
    }

    public Task AbortMultipartAsync(long sessionId, string uploadId, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Delete, $"api/sessions/{sessionId}/multipart/{Uri.EscapeDataString(uploadId)}", null, cancellationToken);

    /// <summary>Erases a donor (admins): returns the audit's erasure id and the counts.</summary>
    public async Task<JsonNode> EraseDonorAsync(string pseudonym, CancellationToken cancellationToken) =>
        (await SendAsync(HttpMethod.Delete, $"api/donors/{Uri.EscapeDataString(pseudonym)}", null, cancellationToken).ConfigureAwait(false))!;

    /// <summary>Streams the company's donated records of the last <paramref name="days"/> days to <paramref name="output"/> (admins).</summary>
    public async Task ExportDonationsAsync(int days, string format, Stream output, CancellationToken cancellationToken)
    {
        HttpResponseMessage response;
        try
        {
            response = await _http.GetAsync($"api/donations/export?days={days}&format={Uri.EscapeDataString(format)}", HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException ex)
        {
            throw new FerryApiException(null, $"cannot reach the Ferry server at {Server}: {ex.Message}", ex);
        }

        using (response)
        {
            if (!response.IsSuccessStatusCode)
            {
                throw new FerryApiException(response.StatusCode, Describe(response.StatusCode, await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false)));
            }

            await using var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            await body.CopyToAsync(output, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>A company's server folders (system administrator).</summary>
    public async Task<List<ApiRoot>> CompanyRootsAsync(long companyId, CancellationToken cancellationToken) =>
        await GetAsync<List<ApiRoot>>($"api/companies/{companyId}/roots", cancellationToken).ConfigureAwait(false);

    /// <summary>Gives a company a server folder (system administrator); returns it as stored (normalized).</summary>
    public async Task<ApiRoot> AddCompanyRootAsync(long companyId, string path, CancellationToken cancellationToken) =>
        Convert<ApiRoot>(await SendAsync(HttpMethod.Post, $"api/companies/{companyId}/roots", new { path }, cancellationToken).ConfigureAwait(false));

    /// <summary>Takes a server folder from a company (system administrator).</summary>
    public Task RemoveCompanyRootAsync(long companyId, string path, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Delete, $"api/companies/{companyId}/roots?path={Uri.EscapeDataString(path)}", null, cancellationToken);

    /// <summary>Queues an upload job of a folder on the server's file systems; the answer is the job as the API shows it.</summary>
    public async Task<JsonNode> QueueJobAsync(long projectId, long cycleId, string localDirectory, string? label, CancellationToken cancellationToken) =>
        (await SendAsync(HttpMethod.Post, "api/jobs", new { project_id = projectId, cycle_id = cycleId, local_directory = localDirectory, label }, cancellationToken).ConfigureAwait(false))!;

    /// <summary>The company's jobs, newest first (at most <paramref name="limit"/>, 1-1000), optionally of one status.</summary>
    public async Task<JsonArray> JobsAsync(string? status, int limit, CancellationToken cancellationToken) =>
        (await SendAsync(HttpMethod.Get, $"api/jobs?limit={limit}" + (status is null ? "" : $"&status={Uri.EscapeDataString(status)}"), null, cancellationToken).ConfigureAwait(false))!.AsArray();

    /// <summary>One job; a 404 <see cref="FerryApiException"/> when the company has no such job.</summary>
    public async Task<JsonNode> JobAsync(long id, CancellationToken cancellationToken) =>
        (await SendAsync(HttpMethod.Get, $"api/jobs/{id}", null, cancellationToken).ConfigureAwait(false))!;

    /// <summary>Cancels a job: a queued one at once, a running one at its worker's next heartbeat.</summary>
    public async Task<JsonNode> CancelJobAsync(long id, CancellationToken cancellationToken) =>
        (await SendAsync(HttpMethod.Post, $"api/jobs/{id}/cancel", null, cancellationToken).ConfigureAwait(false))!;

    /// <summary>Reads an answer as one of the API records above (snake_case JSON).</summary>
    public static T Read<T>(JsonNode? node) => Convert<T>(node);

    /// <summary>Any JSON call (the storage administration commands); null when the answer has no body.</summary>
    public Task<JsonNode?> CallAsync(HttpMethod method, string path, object? body, CancellationToken cancellationToken) =>
        SendAsync(method, path, body, cancellationToken);

    public void Dispose() => _http.Dispose();

    private async Task<T> GetAsync<T>(string path, CancellationToken cancellationToken) =>
        Convert<T>(await SendAsync(HttpMethod.Get, path, null, cancellationToken).ConfigureAwait(false));

    private static T Convert<T>(JsonNode? node) => node.Deserialize<T>(Json) ?? throw new FerryApiException(null, "the Ferry server sent an empty answer");

    private async Task<JsonNode?> SendAsync(HttpMethod method, string path, object? body, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = JsonContent.Create(body, options: Json);
        }

        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException ex)
        {
            throw new FerryApiException(null, $"cannot reach the Ferry server at {Server}: {ex.Message}", ex);
        }
        catch (TaskCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new FerryApiException(null, $"the Ferry server at {Server} did not answer in time", ex);
        }

        using (response)
        {
            var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            if (response.IsSuccessStatusCode)
            {
                return text.Length == 0 ? null : JsonNode.Parse(text);
            }

            throw new FerryApiException(response.StatusCode, Describe(response.StatusCode, text));
        }
    }

    private string Describe(HttpStatusCode status, string body)
    {
        string? detail = null;
        try
        {
            detail = JsonNode.Parse(body)?["detail"]?.GetValue<string>();
        }
        catch (JsonException)
        {
        }

        return status switch
        {
            HttpStatusCode.Unauthorized when detail is null => $"the Ferry server at {Server} refused the sign-in token; run 'ferry login {Server}' again",
            _ => $"the Ferry server answered {(int)status}: {detail ?? status.ToString()}",
        };
    }
}
