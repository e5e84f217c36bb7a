using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Ferry.Server.Data;
using Ferry.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Ferry.Server.Tests.Attacks;

/// <summary>
/// Company A's admin, user and viewer try to reach storage that is not theirs: company B's bucket, an ungranted bucket,
/// the donation bucket, an ungranted location, the export area, and the system administrator's locations and grants.
/// Each is refused with the documented status, and nothing changes in S3 or in the database.
/// </summary>
public abstract class StorageAttackTests<TFixture>(TFixture fixture) : IClassFixture<TFixture> where TFixture : ServerFixture
{
    [Fact]
    public async Task ProjectRequests_OutsideTheCompanysGrants_AreRefusedAndChangeNothing()
    {
        var (a, b, scene) = await SceneAsync();
        var before = await SnapshotAsync(scene);
        var ungranted = await fixture.S3.CreateBucketAsync("free");
        var project = (string bucket, object? location = null, string? endpoint = null) => new { name = fixture.UniqueName("attack"), bucket_name = bucket, region = "us-east-1", storage_location_id = location, endpoint_url = endpoint };

        var attacks = new (string What, HttpMethod Method, string Path, object Body, HttpStatusCode AsAdmin)[]
        {
            ("B's bucket", HttpMethod.Post, "/api/projects", project(scene.BucketB), HttpStatusCode.Forbidden),
            ("B's bucket at the location", HttpMethod.Post, "/api/projects", project(scene.BucketB, scene.Location), HttpStatusCode.Forbidden),
            ("B's bucket by endpoint", HttpMethod.Post, "/api/projects", project(scene.BucketB, null, fixture.S3.Endpoint), HttpStatusCode.Forbidden),
            ("an ungranted bucket", HttpMethod.Post, "/api/projects", project(ungranted, scene.Location), HttpStatusCode.Forbidden),
            ("the donation bucket", HttpMethod.Post, "/api/projects", project(fixture.DonationBucket, scene.Location), HttpStatusCode.Forbidden),
            ("an ungranted location", HttpMethod.Post, "/api/projects", project(scene.BucketA, scene.OtherLocation), HttpStatusCode.Forbidden),
            ("an ungranted endpoint", HttpMethod.Post, "/api/projects", project(scene.BucketA, null, scene.OtherEndpoint), HttpStatusCode.Forbidden),
            ("an endpoint not the location's", HttpMethod.Post, "/api/projects", project(scene.BucketA, scene.Location, scene.OtherEndpoint), HttpStatusCode.BadRequest),
            ("edit onto B's bucket", HttpMethod.Put, $"/api/projects/{scene.ProjectA}", project(scene.BucketB), HttpStatusCode.Forbidden),
            ("edit onto the donation bucket", HttpMethod.Put, $"/api/projects/{scene.ProjectA}", project(fixture.DonationBucket, scene.Location), HttpStatusCode.Forbidden),
            ("edit onto an ungranted location", HttpMethod.Put, $"/api/projects/{scene.ProjectA}", project(scene.BucketA, scene.OtherLocation), HttpStatusCode.Forbidden),
            ("a cycle in the export area", HttpMethod.Post, $"/api/projects/{scene.ProjectA}/cycles", new { name = "X", s3_prefix = "ferry-exports/x" }, HttpStatusCode.Forbidden),
            ("a cycle that is the export area", HttpMethod.Post, $"/api/projects/{scene.ProjectA}/cycles", new { name = "Y", s3_prefix = "/ferry-exports/" }, HttpStatusCode.Forbidden),
        };
        foreach (var (what, method, path, body, asAdmin) in attacks)
        {
            Assert.True(asAdmin == await StatusAsync(a.Admin, method, path, body), $"{what} as A's admin");
            Assert.Equal(HttpStatusCode.Forbidden, await StatusAsync(a.User, method, path, body));
            Assert.Equal(HttpStatusCode.Forbidden, await StatusAsync(a.Viewer, method, path, body));
        }

        Assert.Equal(before, await SnapshotAsync(scene));
        Assert.Equal(scene.BucketA, (await ApiCalls.GetAsync(a.Admin, $"/api/projects/{scene.ProjectA}"))["bucket_name"]!.GetValue<string>());
        _ = b;
    }

    [Fact]
    public async Task ProjectRequest_OutsideTheGrant_AnswersAReason()
    {
        var (a, _, scene) = await SceneAsync();

        var refused = await a.Admin.PostAsJsonAsync("/api/projects", new { name = fixture.UniqueName("p"), bucket_name = scene.BucketB, storage_location_id = scene.Location });
        var problem = await refused.Content.ReadFromJsonAsync<JsonObject>();

        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Contains("not within your company's grants", problem!["detail"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task LocationsAndGrants_AnyRoleOfACompany_AreRefusedAndChangeNothing()
    {
        var (a, _, scene) = await SceneAsync();
        var before = await SnapshotAsync(scene);
        var grantId = scene.GrantB;
        var location = new { name = fixture.UniqueName("evil"), endpoint_url = fixture.S3.Endpoint, credential_source = "default" };
        var calls = new (HttpMethod Method, string Path, object? Body)[]
        {
            (HttpMethod.Get, "/api/storage-locations", null),
            (HttpMethod.Get, $"/api/storage-locations/{scene.Location}", null),
            (HttpMethod.Post, "/api/storage-locations", location),
            (HttpMethod.Put, $"/api/storage-locations/{scene.Location}", location),
            (HttpMethod.Delete, $"/api/storage-locations/{scene.OtherLocation}", null),
            (HttpMethod.Post, $"/api/storage-locations/{scene.Location}/test", new { bucket = scene.BucketB }),
            (HttpMethod.Post, $"/api/storage-locations/{scene.Location}/grants", new { company_id = a.CompanyId, bucket_pattern = scene.BucketB, shared = true }),
            (HttpMethod.Put, $"/api/storage-locations/{scene.Location}/grants/{grantId}", new { shared = true }),
            (HttpMethod.Delete, $"/api/storage-locations/{scene.Location}/grants/{grantId}", null),
        };
        foreach (var (method, path, body) in calls)
        {
            foreach (var client in new[] { a.Admin, a.User, a.Viewer })
            {
                Assert.Equal(HttpStatusCode.Forbidden, await StatusAsync(client, method, path, body));
            }
        }

        Assert.Equal(before, await SnapshotAsync(scene));
    }

    [Fact]
    public async Task Grant_DonationBucket_IsRefusedEvenForTheSystemAdministrator()
    {
        var (a, _, scene) = await SceneAsync();
        var before = await SnapshotAsync(scene);

        var status = await StatusAsync(await fixture.SystemAdminAsync(), HttpMethod.Post, $"/api/storage-locations/{scene.Location}/grants", new { company_id = a.CompanyId, bucket_pattern = fixture.DonationBucket });

        Assert.Equal(HttpStatusCode.Forbidden, status);
        Assert.Equal(before, await SnapshotAsync(scene));
    }

    [Fact]
    public async Task Project_BucketOfAnotherCompany_IsAllowedOnlyWhenBothGrantsAreShared()
    {
        var (a, b, scene) = await SceneAsync();
        var system = await fixture.SystemAdminAsync();
        await FerryServerClient.GrantBucketAsync(system, fixture.S3.Endpoint, scene.BucketB, a.CompanyId, shared: true);
        var body = new { name = fixture.UniqueName("both"), bucket_name = scene.BucketB, storage_location_id = scene.Location };

        Assert.Equal(HttpStatusCode.Forbidden, await StatusAsync(a.Admin, HttpMethod.Post, "/api/projects", body));
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(system, HttpMethod.Put, $"/api/storage-locations/{scene.Location}/grants/{scene.GrantB}", new { shared = true }));
        Assert.Equal(HttpStatusCode.Created, await StatusAsync(a.Admin, HttpMethod.Post, "/api/projects", body));
    }

    [Fact]
    public async Task Project_WithinAPrefixGrant_IsCreatedWithTheLocationsFacts()
    {
        var (a, _, scene) = await SceneAsync();
        var system = await fixture.SystemAdminAsync();
        var prefix = "lab" + Guid.NewGuid().ToString("N")[..6] + "-";
        await ApiCalls.PostAsync(system, $"/api/storage-locations/{scene.Location}/grants", new { company_id = a.CompanyId, bucket_pattern = prefix + "*" });

        var project = await ApiCalls.PostAsync(a.Admin, "/api/projects", new { name = fixture.UniqueName("lab"), bucket_name = prefix + "one", storage_location_id = scene.Location });
        var grants = (await ApiCalls.GetAsync(a.Viewer, "/api/storage-grants"))["items"]!.AsArray();

        Assert.Equal(fixture.S3.Endpoint, project["endpoint_url"]!.GetValue<string>());
        Assert.Equal("us-east-1", project["region"]!.GetValue<string>());
        Assert.Contains(grants, g => g!["bucket_pattern"]!.GetValue<string>() == prefix + "*");
        Assert.DoesNotContain(grants, g => g!["bucket_pattern"]!.GetValue<string>() == scene.BucketB);
    }

    /// <summary>Companies A and B with a project each on their own granted bucket, and a second location granted to nobody.</summary>
    private async Task<(Tenant A, Tenant B, Scene Scene)> SceneAsync()
    {
        var a = await fixture.NewTenantAsync();
        var b = await fixture.NewTenantAsync();
        var (projectA, _, bucketA) = await fixture.NewProjectAsync(a);
        var (_, _, bucketB) = await fixture.NewProjectAsync(b);
        var system = await fixture.SystemAdminAsync();
        var location = await FerryServerClient.LocationAsync(system, fixture.S3.Endpoint);
        var otherEndpoint = "http://127.0.0.1:9";
        var otherLocation = await FerryServerClient.LocationAsync(system, otherEndpoint);
        var grantB = (await ApiCalls.GetAsync(system, $"/api/storage-locations/{location}"))["grants"]!.AsArray()
            .First(g => g!["company_id"]!.GetValue<long>() == b.CompanyId)!["id"]!.GetValue<long>();
        return (a, b, new Scene(projectA, bucketA, bucketB, location, otherLocation, otherEndpoint, grantB));
    }

    /// <summary>Objects in the buckets involved and rows in the tables involved.</summary>
    private async Task<string> SnapshotAsync(Scene scene)
    {
        var objects = new List<int>();
        foreach (var bucket in new[] { scene.BucketA, scene.BucketB, fixture.DonationBucket })
        {
            objects.Add((await fixture.S3.ListKeysAsync(bucket)).Count);
        }

        using var scope = fixture.Factory.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<FerryDbContext>();
        var rows = new[]
        {
            await db.Projects.CountAsync(), await db.Cycles.CountAsync(), await db.StorageLocations.CountAsync(), await db.StorageGrants.CountAsync(),
        };
        var locations = string.Join(";", await db.StorageLocations.OrderBy(l => l.Id).Select(l => l.Name + l.EndpointUrl + l.CredentialSource + l.UpdatedAt).ToListAsync());
        var projects = string.Join(";", await db.Projects.OrderBy(p => p.Id).Select(p => p.Name + p.BucketName + p.StorageLocationId).ToListAsync());
        return $"objects {string.Join(",", objects)} rows {string.Join(",", rows)} locations {locations} projects {projects}";
    }

    private static Task<HttpStatusCode> StatusAsync(HttpClient client, HttpMethod method, string path, object? body) => ApiCalls.StatusAsync(client, method, path, body);

    private sealed record Scene(long ProjectA, string BucketA, string BucketB, long Location, long OtherLocation, string OtherEndpoint, long GrantB);
}

public sealed class StorageAttackTestsOnSqlite(SqliteServerFixture fixture) : StorageAttackTests<SqliteServerFixture>(fixture);

public sealed class StorageAttackTestsOnPostgres(PostgresServerFixture fixture) : StorageAttackTests<PostgresServerFixture>(fixture);
