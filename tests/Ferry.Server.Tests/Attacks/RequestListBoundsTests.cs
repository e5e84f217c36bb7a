using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Ferry.Server.Api;

using static Ferry.Server.Tests.SessionCalls;

namespace Ferry.Server.Tests.Attacks;

/// <summary>
/// Lists in request bodies (register, presign, complete, multipart parts) are refused at the item after their limit
/// while the JSON is read, with nothing done; bodies larger than a route's limit are refused with 413 — the session routes
/// and the donation-link routes (admin and anonymous), and a link chunk past <c>Ferry:DonationLinkChunkBytes</c>.
/// </summary>
public sealed class RequestListBoundsTests(TwoStreamsSqliteFixture fixture) : IClassFixture<TwoStreamsSqliteFixture>
{
    [Fact]
    public async Task Register_OneFileOverTheLimit_400NamingTheLimitAndNothingRegistered()
    {
        var (tenant, sessionId) = await NewSessionAsync();
        var files = Enumerable.Range(0, SessionEndpoints.MaximumRegisterBatch + 1).Select(i => new { path = $"d/{i}.wav", size = 1 });

        var answer = await ApiCalls.PostAsync(tenant.User, $"/api/sessions/{sessionId}/files", new { files }, HttpStatusCode.BadRequest);

        Assert.Contains("at most 10,000 files per call", answer["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(0, (await ApiCalls.GetAsync(tenant.User, $"/api/sessions/{sessionId}"))["total_files"]!.GetValue<long>());
    }

    [Fact]
    public async Task Register_ExactlyTheLimit_Accepted()
    {
        var (tenant, sessionId) = await NewSessionAsync();
        var files = Enumerable.Range(0, SessionEndpoints.MaximumRegisterBatch).ToDictionary(i => $"d/{i}.wav", _ => 1L);

        Assert.Equal(SessionEndpoints.MaximumRegisterBatch, (await RegisterAsync(tenant.User, sessionId, files)).Count);
    }

    [Fact]
    public async Task PresignAndComplete_OneItemOverTheLimit_400NamingTheLimitAndNothingSignedOrVerified()
    {
        var (tenant, sessionId) = await NewSessionAsync();
        await RegisterAsync(tenant.User, sessionId, new Dictionary<string, long> { ["d/a.wav"] = 1 });

        var presign = await ApiCalls.PostAsync(tenant.User, $"/api/sessions/{sessionId}/presign",
            new { paths = Enumerable.Repeat("d/a.wav", SessionEndpoints.MaximumPresignBatch + 1) }, HttpStatusCode.BadRequest);
        var complete = await ApiCalls.PostAsync(tenant.User, $"/api/sessions/{sessionId}/complete",
            new { files = Enumerable.Repeat(new { path = "d/a.wav", etag = "x" }, SessionEndpoints.MaximumCompleteBatch + 1) }, HttpStatusCode.BadRequest);
        var parts = await ApiCalls.PostAsync(tenant.User, $"/api/sessions/{sessionId}/multipart/some-upload/parts",
            new { part_numbers = Enumerable.Range(1, MultipartEndpoints.MaximumPartsPerSigning + 1) }, HttpStatusCode.BadRequest);

        Assert.Contains("at most 10,000 paths per call", presign["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains("at most 1,000 files per call", complete["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains("at most 1,000 part numbers per call", parts["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        var files = await ApiCalls.GetAsync(tenant.User, $"/api/sessions/{sessionId}/files");
        var file = Assert.Single(files["files"]!.AsArray())!;
        Assert.Equal("pending", file["status"]!.GetValue<string>());
        Assert.Equal(0, file["attempts"]!.GetValue<int>());
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Complete_BodyOverTheRouteLimit_413WithProblemDocument(bool withContentLength)
    {
        var (tenant, sessionId) = await NewSessionAsync();
        var limit = RequestBodyLimits.ForList(SessionEndpoints.MaximumCompleteBatch);
        var body = Encoding.UTF8.GetBytes("{\"files\":[{\"path\":\"" + new string('a', (int)limit) + "\"}]}");
        HttpContent content = withContentLength ? new ByteArrayContent(body) : new StreamContent(new UnknownLengthStream(body));
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");

        using var response = await tenant.User.PostAsync($"/api/sessions/{sessionId}/complete", content);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonObject>();
        Assert.Contains($"larger than {limit:N0} bytes", problem!["detail"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task LinkRoutes_BodyOverTheRouteLimit_413WithProblemDocumentAndNothingStarted(bool withContentLength)
    {
        var tenant = await fixture.NewTenantAsync();
        var created = await ApiCalls.PostAsync(tenant.Admin, "/api/donation-links", new { label = "Bounds cohort" }, HttpStatusCode.Created);
        var token = created["token"]!.GetValue<string>();
        var anonymous = fixture.Anonymous();
        var padding = new string('a', (int)DonationLinkEndpoints.MaximumJsonBody);

        using var start = Ferry.Testing.DonationLinkDonor.Request(HttpMethod.Post, "/api/link/uploads", token, Json("{\"length\":1000,\"consent\":\"" + padding + "\"}", withContentLength));
        using var startRefused = await anonymous.SendAsync(start);
        using var link = await tenant.Admin.PostAsync("/api/donation-links", Json("{\"label\":\"" + padding + "\"}", withContentLength));
        var id = created["link"]!["id"]!.GetValue<long>();
        using var revoke = await tenant.Admin.PostAsync($"/api/donation-links/{id}/revoke", Json("{\"x\":\"" + new string('b', (int)DonationLinkEndpoints.MaximumEmptyBody) + "\"}", withContentLength));

        foreach (var (response, limit) in new[] { (startRefused, DonationLinkEndpoints.MaximumJsonBody), (link, DonationLinkEndpoints.MaximumJsonBody), (revoke, DonationLinkEndpoints.MaximumEmptyBody) })
        {
            Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            Assert.Contains($"larger than {limit:N0} bytes", (await response.Content.ReadFromJsonAsync<JsonObject>())!["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        }

        var links = (JsonArray)(await ApiCalls.GetAsync(tenant.Admin, "/api/donation-links"))["items"]!;
        Assert.Single(links); // no second link was made
        Assert.Null(links[0]!["revoked_at"]); // and the link was not revoked
        Assert.Equal(0, links[0]!["donations"]!.GetValue<int>());
    }

    [Fact]
    public async Task LinkChunk_OverTheChunkLimit_413AndNothingAppended()
    {
        var tenant = await fixture.NewTenantAsync();
        var token = (await ApiCalls.PostAsync(tenant.Admin, "/api/donation-links", new { label = "Chunk cohort" }, HttpStatusCode.Created))["token"]!.GetValue<string>();
        var anonymous = fixture.Anonymous();
        var chunkBytes = (await Ferry.Testing.DonationLinkDonor.InfoAsync(anonymous, token))["chunk_bytes"]!.GetValue<int>();
        var bytes = new byte[chunkBytes + 1];
        using var started = await Ferry.Testing.DonationLinkDonor.StartAsync(anonymous, token, bytes.Length, null, "2026-11");
        var id = (await started.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<string>();

        using var refused = await Ferry.Testing.DonationLinkDonor.ChunkAsync(anonymous, token, id, bytes, 0, bytes.Length);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, refused.StatusCode);
        using var status = Ferry.Testing.DonationLinkDonor.Request(HttpMethod.Get, $"/api/link/uploads/{id}", token);
        Assert.Equal(0, (await ApiCalls.ReadAsync(await anonymous.SendAsync(status), HttpStatusCode.OK))["offset"]!.GetValue<long>());
    }

    private static HttpContent Json(string json, bool withContentLength)
    {
        var body = Encoding.UTF8.GetBytes(json);
        HttpContent content = withContentLength ? new ByteArrayContent(body) : new StreamContent(new UnknownLengthStream(body));
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        return content;
    }

    [Fact]
    public async Task Presign_Put_SignsTheRegisteredLengthAndExpiresNoLaterThanTheSignIn()
    {
        var tenant = await fixture.NewTenantAsync();
        var (projectId, cycleId, bucket) = await fixture.NewProjectAsync(tenant);
        var signedInBy = DateTimeOffset.UtcNow.AddMinutes(10); // Ferry:TokenLifetime is 10 minutes here, Ferry:PresignLifetime 1 hour
        var sessionId = await SessionCalls.NewSessionAsync(tenant.User, projectId, cycleId);
        var content = Bytes(1234, 5);
        await RegisterAsync(tenant.User, sessionId, new Dictionary<string, long> { ["d/a.wav"] = content.Length });

        var upload = (await ApiCalls.PostAsync(tenant.User, $"/api/sessions/{sessionId}/presign", new { paths = new[] { "d/a.wav" } }))["uploads"]![0]!;
        var url = upload["url"]!.GetValue<string>();

        Assert.Contains("X-Amz-SignedHeaders=content-length%3Bhost", url, StringComparison.Ordinal);
        var expires = int.Parse(url.Split("X-Amz-Expires=")[1].Split('&')[0], System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(expires, 1, 600);
        Assert.True(upload["expires_at"]!.GetValue<DateTimeOffset>() <= signedInBy, $"{upload["expires_at"]} is after the sign-in ends ({signedInBy:O})");
        using var put = await Plain.PutAsync(url, new ByteArrayContent(content)); // what the browser and the CLI send: Content-Length is the file's
        Assert.True(put.IsSuccessStatusCode, await put.Content.ReadAsStringAsync());
        Assert.Equal(content, await fixture.S3.GetObjectAsync(bucket, "C1/d/a.wav"));
    }

    private async Task<(Tenant Tenant, long SessionId)> NewSessionAsync()
    {
        var tenant = await fixture.NewTenantAsync();
        var (projectId, cycleId, _) = await fixture.NewProjectAsync(tenant);
        return (tenant, await SessionCalls.NewSessionAsync(tenant.User, projectId, cycleId));
    }
}
