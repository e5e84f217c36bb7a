using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Ferry.Server.Data;
using Ferry.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Ferry.Server.Tests.Storage;

/// <summary>Locations with stored keys: the secret is encrypted at rest, never answered, and the keys work.</summary>
public abstract class StorageLocationTests<TFixture>(TFixture fixture) : IClassFixture<TFixture> where TFixture : ServerFixture
{
    [Fact]
    public async Task Location_WithKeys_SecretNeverInAnyAnswerAndEncryptedAtRest()
    {
        var system = await fixture.SystemAdminAsync();
        var bucket = await fixture.S3.CreateBucketAsync("keys");
        var name = fixture.UniqueName("keyed");
        var answers = new List<string>();

        var created = await system.PostAsJsonAsync("/api/storage-locations", new
        {
            name, endpoint_url = fixture.S3.Endpoint, region = "us-east-1", credential_source = "keys",
            access_key_id = S3rverServer.AccessKey, secret_access_key = S3rverServer.SecretKey,
        });
        answers.Add(await created.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = JsonNode.Parse(answers[0])!["id"]!.GetValue<long>();
        var renamed = await system.PutAsJsonAsync($"/api/storage-locations/{id}", new
        {
            name = name + "-renamed", endpoint_url = fixture.S3.Endpoint, credential_source = "keys", access_key_id = S3rverServer.AccessKey,
        });
        answers.Add(await renamed.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, renamed.StatusCode);
        var tenant = await fixture.NewTenantAsync();
        answers.Add(await (await system.PostAsJsonAsync($"/api/storage-locations/{id}/grants", new { company_id = tenant.CompanyId, bucket_pattern = bucket })).Content.ReadAsStringAsync());
        answers.Add(await system.GetStringAsync("/api/storage-locations"));
        answers.Add(await system.GetStringAsync($"/api/storage-locations/{id}"));
        answers.Add(await tenant.Admin.GetStringAsync("/api/storage-grants"));
        var test = await system.PostAsJsonAsync($"/api/storage-locations/{id}/test", new { bucket });
        answers.Add(await test.Content.ReadAsStringAsync());
        var project = await ApiCalls.PostAsync(tenant.Admin, "/api/projects", new { name = fixture.UniqueName("p"), bucket_name = bucket, storage_location_id = id });
        answers.Add(project.ToJsonString());
        answers.Add(await tenant.Admin.GetStringAsync("/api/projects"));

        Assert.True(JsonNode.Parse(answers[6])!["ok"]!.GetValue<bool>(), answers[6]);
        Assert.True(JsonNode.Parse(answers[4])!["has_secret"]!.GetValue<bool>());
        Assert.All(answers, answer => Assert.DoesNotContain(S3rverServer.SecretKey, answer, StringComparison.Ordinal));
        using var scope = fixture.Factory.Services.CreateScope();
        var stored = await scope.ServiceProvider.GetRequiredService<FerryDbContext>().StorageLocations.AsNoTracking().FirstAsync(l => l.Id == id);
        Assert.StartsWith("v1:", stored.SecretCiphertext, StringComparison.Ordinal);
        Assert.DoesNotContain(S3rverServer.SecretKey, stored.SecretCiphertext!, StringComparison.Ordinal);
        Assert.Empty(await fixture.S3.ListKeysAsync(bucket));
        Assert.DoesNotContain(fixture.Logs.Messages, line => line.Contains(S3rverServer.SecretKey + "\"", StringComparison.Ordinal));
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task KeyFile_AfterALocationWithKeys_IsReadableByTheOwnerOnly()
    {
        var system = await fixture.SystemAdminAsync();
        await ApiCalls.PostAsync(system, "/api/storage-locations", new
        {
            name = fixture.UniqueName("keyfile"), endpoint_url = fixture.S3.Endpoint, credential_source = "keys", access_key_id = "AKIAEXAMPLEKEY", secret_access_key = "a-secret-for-the-key-file-test",
        });

        var mode = File.GetUnixFileMode(Path.Combine(fixture.DataDirectory, "storage.key"));

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, mode);
    }

    [Fact]
    public async Task Test_MissingBucket_AnswersInWordsWithoutTheServicesText()
    {
        var system = await fixture.SystemAdminAsync();
        var id = await FerryServerClient.LocationAsync(system, fixture.S3.Endpoint);

        var answer = await ApiCalls.PostAsync(system, $"/api/storage-locations/{id}/test", new { bucket = "no-such-bucket-" + Guid.NewGuid().ToString("N")[..8] });

        Assert.False(answer["ok"]!.GetValue<bool>());
        Assert.Contains("could not list", answer["message"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Delete_LocationWithProjects_IsRefused()
    {
        var tenant = await fixture.NewTenantAsync();
        await fixture.NewProjectAsync(tenant);
        var system = await fixture.SystemAdminAsync();
        var id = await FerryServerClient.LocationAsync(system, fixture.S3.Endpoint);

        Assert.Equal(HttpStatusCode.Conflict, await ApiCalls.StatusAsync(system, HttpMethod.Delete, $"/api/storage-locations/{id}"));
    }
}

public sealed class StorageLocationTestsOnSqlite(SqliteServerFixture fixture) : StorageLocationTests<SqliteServerFixture>(fixture);

public sealed class StorageLocationTestsOnPostgres(PostgresServerFixture fixture) : StorageLocationTests<PostgresServerFixture>(fixture);

/// <summary>With Ferry:Storage:AllowPrivateEndpoints off (the default), s3rver on 127.0.0.1 is out of reach.</summary>
public abstract class PrivateEndpointTests<TFixture>(TFixture fixture) : IClassFixture<TFixture> where TFixture : ServerFixture
{
    [Theory]
    [InlineData("http://127.0.0.1:{0}")]
    [InlineData("http://localhost:{0}")]
    [InlineData("http://10.1.2.3:{0}")]
    [InlineData("http://169.254.169.254")]
    [InlineData("http://[::1]:{0}")]
    public async Task Create_PrivateEndpoint_IsRefusedNamingTheSetting(string endpoint)
    {
        var system = await fixture.SystemAdminAsync();
        var url = string.Format(System.Globalization.CultureInfo.InvariantCulture, endpoint, fixture.S3.Port);

        var refused = await system.PostAsJsonAsync("/api/storage-locations", new { name = fixture.UniqueName("private"), endpoint_url = url });
        var problem = await refused.Content.ReadFromJsonAsync<JsonObject>();

        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Contains("Ferry:Storage:AllowPrivateEndpoints", problem!["detail"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Complete_LocationThatResolvesPrivately_IsRefusedOnConnectWithAGenericError()
    {
        // A location saved before the address became private (DNS rebinding, an older setting): the connection itself is refused.
        var tenant = await fixture.NewTenantAsync();
        var bucket = await fixture.S3.CreateBucketAsync("rebind");
        long projectId, cycleId;
        using (var scope = fixture.Factory.Services.CreateScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<FerryDbContext>();
            var now = DateTimeOffset.UtcNow;
            var location = new StorageLocation { Name = fixture.UniqueName("rebound"), EndpointUrl = fixture.S3.Endpoint, Region = "us-east-1", AddressingStyle = "path", CredentialSource = "default", CreatedAt = now, UpdatedAt = now };
            db.StorageLocations.Add(location);
            await db.SaveChangesAsync();
            db.StorageGrants.Add(new StorageGrant { LocationId = location.Id, CompanyId = tenant.CompanyId, BucketPattern = bucket, CreatedAt = now });
            var project = new Project { CompanyId = tenant.CompanyId, Name = fixture.UniqueName("p"), BucketName = bucket, Region = "us-east-1", StorageLocationId = location.Id, EndpointUrl = location.EndpointUrl, CreatedAt = now };
            db.Projects.Add(project);
            await db.SaveChangesAsync();
            var cycle = new Cycle { ProjectId = project.Id, Name = "C1", S3Prefix = "C1/", CreatedAt = now };
            db.Cycles.Add(cycle);
            await db.SaveChangesAsync();
            (projectId, cycleId) = (project.Id, cycle.Id);
        }

        var session = await SessionCalls.NewSessionAsync(tenant.User, projectId, cycleId);
        await SessionCalls.RegisterAsync(tenant.User, session, new() { ["a.bin"] = 3 });
        var response = await tenant.User.PostAsJsonAsync($"/api/sessions/{session}/complete", new { files = new[] { new { path = "a.bin" } } });
        var problem = await response.Content.ReadFromJsonAsync<JsonObject>();

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Equal("the storage service refused the request; the detail is in the server log", problem!["detail"]!.GetValue<string>());
        Assert.Contains(fixture.Logs.Messages, line => line.Contains("private, loopback or link-local", StringComparison.Ordinal));
    }
}

public sealed class PrivateEndpointsRefusedSqliteFixture : SqliteServerFixture
{
    protected override void AddSettings(Dictionary<string, string?> settings) => settings["Ferry:Storage:AllowPrivateEndpoints"] = "false";
}

public sealed class PrivateEndpointsRefusedPostgresFixture : ServerFixture
{
    protected override Task<string> CreateDatabaseAsync(string directory) => PostgresServer.Shared.CreateDatabaseAsync();

    protected override void AddSettings(Dictionary<string, string?> settings) => settings["Ferry:Storage:AllowPrivateEndpoints"] = "false";
}

public sealed class PrivateEndpointTestsOnSqlite(PrivateEndpointsRefusedSqliteFixture fixture) : PrivateEndpointTests<PrivateEndpointsRefusedSqliteFixture>(fixture);

public sealed class PrivateEndpointTestsOnPostgres(PrivateEndpointsRefusedPostgresFixture fixture) : PrivateEndpointTests<PrivateEndpointsRefusedPostgresFixture>(fixture);
