using System.Net;
using System.Net.Http.Json;

namespace Ferry.Server.Tests.Api;

/// <summary>Health, the OpenAPI document and its interactive docs, and what the log must never hold.</summary>
public abstract class ServiceEndpointsTests<TFixture>(TFixture fixture) : IClassFixture<TFixture> where TFixture : ServerFixture
{
    [Fact]
    public async Task Healthz_Anonymous_OkWithDatabase()
    {
        var health = await ApiCalls.GetAsync(fixture.Anonymous(), "/healthz");

        Assert.Equal("ok", health["status"]!.GetValue<string>());
        Assert.Equal("ok", health["database"]!.GetValue<string>());
    }

    [Fact]
    public async Task OpenApi_Anonymous_DescribesTheSessionCalls()
    {
        var document = await ApiCalls.GetAsync(fixture.Anonymous(), "/openapi/v1.json");
        var docs = await fixture.Anonymous().GetAsync("/docs/index.html");

        var paths = document["paths"]!.AsObject().Select(p => p.Key).ToList();
        Assert.Contains("/api/sessions/{id}/presign", paths);
        Assert.Contains("/api/sessions/{id}/multipart/{uploadId}/parts", paths);
        Assert.Contains("/api/auth/login", paths);
        Assert.Equal(HttpStatusCode.OK, docs.StatusCode);
    }

    [Fact]
    public async Task Log_AfterSignInPresignAndFailedLogin_HoldsNoPasswordTokenOrSignature()
    {
        var tenant = await fixture.NewTenantAsync();
        var (projectId, cycleId, _) = await fixture.NewProjectAsync(tenant);
        var session = await ApiCalls.PostAsync(tenant.User, "/api/sessions", new { project_id = projectId, cycle_id = cycleId });
        var id = session["id"]!.GetValue<long>();
        await ApiCalls.PostAsync(tenant.User, $"/api/sessions/{id}/files", new { files = new[] { new { path = "secret-check.wav", size = 1 } } });
        var presigned = await ApiCalls.PostAsync(tenant.User, $"/api/sessions/{id}/presign", new { paths = new[] { "secret-check.wav" } });
        var url = presigned["uploads"]![0]!["url"]!.GetValue<string>();
        await fixture.Anonymous().PostAsJsonAsync("/api/auth/login", new { username = "admin", password = "a-wrong-password-to-log" });
        await fixture.Anonymous().PostAsync("/api/projects", new StringContent("{broken", System.Text.Encoding.UTF8, "application/json"));

        var log = string.Join('\n', fixture.Logs.Messages);

        Assert.NotEmpty(fixture.Logs.Messages);
        Assert.DoesNotContain(ServerFixture.AdminPassword, log, StringComparison.Ordinal);
        Assert.DoesNotContain("a-wrong-password-to-log", log, StringComparison.Ordinal);
        Assert.DoesNotContain("X-Amz-Signature", log, StringComparison.Ordinal);
        Assert.DoesNotContain(url[url.IndexOf('?', StringComparison.Ordinal)..], log, StringComparison.Ordinal);
        Assert.DoesNotContain(tenant.User.DefaultRequestHeaders.Authorization!.Parameter!, log, StringComparison.Ordinal);
        Assert.DoesNotContain("S3RVER", log, StringComparison.Ordinal);
    }
}

public sealed class ServiceEndpointsTestsOnSqlite(SqliteServerFixture fixture) : ServiceEndpointsTests<SqliteServerFixture>(fixture);

public sealed class ServiceEndpointsTestsOnPostgres(PostgresServerFixture fixture) : ServiceEndpointsTests<PostgresServerFixture>(fixture);
