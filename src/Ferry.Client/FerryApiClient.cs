using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using Ferry.Core.Checks;

using Ferry.Client.Contracts;
using Ferry.Client.Sessions;

namespace Ferry.Client;

/// <summary>
/// The calls clients (the CLI) make to a Ferry server (docs/api.md), JSON in snake_case. Errors become <see cref="FerryApiException"/>
/// carrying the server's problem detail, or "cannot reach" when the server does not answer.
/// </summary>
public sealed class FerryApiClient : ISessionApi, IDisposable
{
    /// <summary>Only the generated contracts (<see cref="FerryApiJson"/>): no reflection, so a type missing there fails in tests as in a Native AOT build.</summary>
    private static readonly JsonSerializerOptions Json = FerryApiJson.Default.Options;

    private readonly HttpClient _http;
    private readonly bool _ownsHttp = true;

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

    /// <summary>
    /// A client over an <see cref="HttpClient"/> the caller made and keeps (its base address is the server, its default
    /// headers carry the sign-in); disposing this client leaves it open.
    /// </summary>
    public FerryApiClient(HttpClient http)
    {
        _http = http;
        _ownsHttp = false;
        Server = http.BaseAddress ?? throw new ArgumentException("the HttpClient needs the server as its base address", nameof(http));
    }

    public Uri Server { get; }

    /// <summary>Signs in; returns the token and its lifetime in seconds.</summary>
    public async Task<(string Token, int ExpiresIn)> LoginAsync(string username, string password, CancellationToken cancellationToken)
    {
        var token = Convert<TokenResponse>(await SendAsync(HttpMethod.Post, "api/auth/login", new LoginRequest(username, password), cancellationToken).ConfigureAwait(false));
        return (token.AccessToken, token.ExpiresIn);
    }

    public async Task<List<ProjectResponse>> ProjectsAsync(CancellationToken cancellationToken) =>
        await GetAsync<List<ProjectResponse>>("api/projects", cancellationToken).ConfigureAwait(false);

    public async Task<List<CycleResponse>> CyclesAsync(long projectId, CancellationToken cancellationToken) =>
        await GetAsync<List<CycleResponse>>($"api/projects/{projectId}/cycles", cancellationToken).ConfigureAwait(false);

    public Task<SessionResponse> CreateSessionAsync(long projectId, long cycleId, string localDirectory, CancellationToken cancellationToken) =>
        CreateSessionAsync(projectId, cycleId, localDirectory, null, cancellationToken);

    public async Task<SessionResponse> CreateSessionAsync(long projectId, long cycleId, string localDirectory, List<SensorFolderCheck>? checks, CancellationToken cancellationToken) =>
        Convert<SessionResponse>(await SendAsync(HttpMethod.Post, "api/sessions", new CreateSessionRequest(projectId, cycleId, localDirectory, Client: "cli", Checks: checks), cancellationToken).ConfigureAwait(false));

    public async Task<SessionResponse> SessionAsync(long sessionId, CancellationToken cancellationToken) =>
        await GetAsync<SessionResponse>($"api/sessions/{sessionId}", cancellationToken).ConfigureAwait(false);

    public async Task<SessionResponse> FinishAsync(long sessionId, CancellationToken cancellationToken) =>
        Convert<SessionResponse>(await SendAsync(HttpMethod.Post, $"api/sessions/{sessionId}/finish", new JsonObject(), cancellationToken).ConfigureAwait(false));

    /// <summary>Registers up to <see cref="ApiLimits.MaximumRegisterBatch"/> files; the answers come in the order of <paramref name="files"/>.</summary>
    public async Task<List<RegisteredFileResponse>> RegisterAsync(long sessionId, IEnumerable<(string Path, long Size, DateTimeOffset LastModified, FileCapture? Capture)> files, CancellationToken cancellationToken) =>
        Convert<RegisterFilesResponse>(await SendAsync(HttpMethod.Post, $"api/sessions/{sessionId}/files", SessionRequests.Register(files), cancellationToken).ConfigureAwait(false)).Files;

    /// <summary>Registers files again with their SHA-256 (the project's content index decides); with <paramref name="skipDuplicates"/> a duplicate comes back <c>duplicate</c>.</summary>
    public async Task<List<RegisteredFileResponse>> RegisterHashedAsync(long sessionId, IEnumerable<(string Path, long Size, DateTimeOffset LastModified, string Sha256)> files, bool skipDuplicates, CancellationToken cancellationToken) =>
        Convert<RegisterFilesResponse>(await SendAsync(HttpMethod.Post, $"api/sessions/{sessionId}/files", SessionRequests.RegisterHashed(files, skipDuplicates), cancellationToken).ConfigureAwait(false)).Files;

    /// <summary>Presigned PUT URLs for up to <see cref="ApiLimits.MaximumPresignBatch"/> registered paths.</summary>
    public async Task<List<PresignedUpload>> PresignAsync(long sessionId, IReadOnlyList<string> paths, CancellationToken cancellationToken) =>
        Convert<PresignResponse>(await SendAsync(HttpMethod.Post, $"api/sessions/{sessionId}/presign", SessionRequests.Presign(paths), cancellationToken).ConfigureAwait(false)).Uploads;

    /// <summary>Reports up to <see cref="ApiLimits.MaximumCompleteBatch"/> uploads; the verdicts come in the order of <paramref name="files"/>.</summary>
    public async Task<List<CompletedFileResult>> CompleteAsync(long sessionId, IEnumerable<CompletedFile> files, CancellationToken cancellationToken) =>
        Convert<CompleteFilesResponse>(await SendAsync(HttpMethod.Post, $"api/sessions/{sessionId}/complete", SessionRequests.Complete(files), cancellationToken).ConfigureAwait(false)).Files;

    public async Task<string> CreateMultipartAsync(long sessionId, string path, string? sha256, CancellationToken cancellationToken) =>
        Convert<MultipartResponse>(await SendAsync(HttpMethod.Post, $"api/sessions/{sessionId}/multipart", new CreateMultipartRequest(path, sha256), cancellationToken).ConfigureAwait(false)).UploadId;

    public async Task<List<SignedPart>> SignPartsAsync(long sessionId, string uploadId, IReadOnlyList<int> partNumbers, CancellationToken cancellationToken) =>
        Convert<SignPartsResponse>(await SendAsync(HttpMethod.Post, $"api/sessions/{sessionId}/multipart/{Uri.EscapeDataString(uploadId)}/parts", SessionRequests.SignParts(partNumbers), cancellationToken).ConfigureAwait(false)).Parts;

    public async Task<List<PartResponse>> ListPartsAsync(long sessionId, string uploadId, CancellationToken cancellationToken) =>
        (await GetAsync<ListPartsResponse>($"api/sessions/{sessionId}/multipart/{Uri.EscapeDataString(uploadId)}", cancellationToken).ConfigureAwait(false)).Parts;

    public async Task<string?> CompleteMultipartAsync(long sessionId, string uploadId, IEnumerable<(int PartNumber, string ETag)> parts, CancellationToken cancellationToken) =>
        Convert<CompleteMultipartResponse>(await SendAsync(HttpMethod.Post, $"api/sessions/{sessionId}/multipart/{Uri.EscapeDataString(uploadId)}/complete",
            SessionRequests.CompleteMultipart(parts), cancellationToken).ConfigureAwait(false)).Etag;

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

            var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            await using (body.ConfigureAwait(false))
            {
                await body.CopyToAsync(output, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>A company's server folders (system administrator).</summary>
    public async Task<List<RootResponse>> CompanyRootsAsync(long companyId, CancellationToken cancellationToken) =>
        await GetAsync<List<RootResponse>>($"api/companies/{companyId}/roots", cancellationToken).ConfigureAwait(false);

    /// <summary>Gives a company a server folder (system administrator); returns it as stored (normalized).</summary>
    public async Task<RootResponse> AddCompanyRootAsync(long companyId, string path, CancellationToken cancellationToken) =>
        Convert<RootResponse>(await SendAsync(HttpMethod.Post, $"api/companies/{companyId}/roots", new AddRootRequest(path), cancellationToken).ConfigureAwait(false));

    /// <summary>Takes a server folder from a company (system administrator).</summary>
    public Task RemoveCompanyRootAsync(long companyId, string path, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Delete, $"api/companies/{companyId}/roots?path={Uri.EscapeDataString(path)}", null, cancellationToken);

    /// <summary>Queues an upload job of a folder on the server's file systems; the answer is the job as the API shows it.</summary>
    public async Task<JsonNode> QueueJobAsync(long projectId, long cycleId, string localDirectory, string? label, bool skipDuplicates, CancellationToken cancellationToken) =>
        (await SendAsync(HttpMethod.Post, "api/jobs", new CreateJobRequest(projectId, cycleId, localDirectory, label, skipDuplicates ? true : null), cancellationToken).ConfigureAwait(false))!;

    /// <summary>The company's jobs, newest first (at most <paramref name="limit"/>, 1-1000), optionally of one status.</summary>
    public async Task<JsonArray> JobsAsync(string? status, int limit, CancellationToken cancellationToken) =>
        (await SendAsync(HttpMethod.Get, $"api/jobs?limit={limit}" + (status is null ? "" : $"&status={Uri.EscapeDataString(status)}"), null, cancellationToken).ConfigureAwait(false))!.AsArray();

    /// <summary>One job; a 404 <see cref="FerryApiException"/> when the company has no such job.</summary>
    public async Task<JsonNode> JobAsync(long id, CancellationToken cancellationToken) =>
        (await SendAsync(HttpMethod.Get, $"api/jobs/{id}", null, cancellationToken).ConfigureAwait(false))!;

    /// <summary>Cancels a job: a queued one at once, a running one at its worker's next heartbeat.</summary>
    public async Task<JsonNode> CancelJobAsync(long id, CancellationToken cancellationToken) =>
        (await SendAsync(HttpMethod.Post, $"api/jobs/{id}/cancel", null, cancellationToken).ConfigureAwait(false))!;

    /// <summary>
    /// POSTs <paramref name="body"/> and copies a successful answer's bytes to <paramref name="destination"/> (a file
    /// download such as the Camtrap DP package); an error answer is a <see cref="FerryApiException"/> as for JSON calls.
    /// </summary>
    public async Task DownloadAsync(string path, object body, Stream destination, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = Content(body) };
        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
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
            if (!response.IsSuccessStatusCode)
            {
                throw new FerryApiException(response.StatusCode, Describe(response.StatusCode, await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false)));
            }

            await response.Content.CopyToAsync(destination, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Reads an answer as one of the API records above (snake_case JSON); <typeparamref name="T"/> must be one of <see cref="FerryApiJson"/>'s types.</summary>
    public static T Read<T>(JsonNode? node) => Convert<T>(node);

    /// <summary>Any JSON call (the storage administration commands); null when the answer has no body. <paramref name="body"/> is one of <see cref="FerryApiJson"/>'s types.</summary>
    public Task<JsonNode?> CallAsync(HttpMethod method, string path, object? body, CancellationToken cancellationToken) =>
        SendAsync(method, path, body, cancellationToken);

    public void Dispose()
    {
        if (_ownsHttp)
        {
            _http.Dispose();
        }
    }

    private async Task<T> GetAsync<T>(string path, CancellationToken cancellationToken) =>
        Convert<T>(await SendAsync(HttpMethod.Get, path, null, cancellationToken).ConfigureAwait(false));

    private static T Convert<T>(JsonNode? node) =>
        node.Deserialize((JsonTypeInfo<T>)Json.GetTypeInfo(typeof(T))) ?? throw new FerryApiException(null, "the Ferry server sent an empty answer");

    /// <summary>A request body as JSON, written as its runtime type (a record of <see cref="FerryApiJson"/>, or a <see cref="JsonNode"/>).</summary>
    private static JsonContent Content(object body) => JsonContent.Create(body, Json.GetTypeInfo(body.GetType()));

    private async Task<JsonNode?> SendAsync(HttpMethod method, string path, object? body, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = Content(body);
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
