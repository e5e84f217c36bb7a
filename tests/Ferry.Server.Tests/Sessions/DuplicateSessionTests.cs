using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json.Nodes;

using static Ferry.Server.Tests.SessionCalls;

namespace Ferry.Server.Tests.Sessions;

/// <summary>
/// Duplicates by content on the server: the project's content index (verified objects by SHA-256 and size) across
/// cycles and sessions of different clients — one that reports SHA-256 when it completes (the CLI, a job), one that
/// hashes before it registers (the browser) — with and without skip_duplicates; the session lists each duplicate
/// with the key it duplicates.
/// </summary>
public abstract class DuplicateSessionTests<TFixture>(TFixture fixture) : IClassFixture<TFixture> where TFixture : ServerFixture
{
    [Fact]
    public async Task Register_BytesUploadedInAnEarlierCycleWithSkipDuplicates_ComesBackDuplicateAndIsListed()
    {
        var tenant = await fixture.NewTenantAsync();
        var (projectId, cycle1, bucket) = await fixture.NewProjectAsync(tenant, prefix: "C1");
        var cycle2 = await NewCycleAsync(tenant, projectId, "C2");
        var card = Bytes(70_000, 1);
        await UploadVerifiedAsync(tenant.User, await NewSessionAsync(tenant.User, projectId, cycle1), new() { ["SN1/a.WAV"] = card });

        // The same card copied again, into a renamed folder, in the next cycle, from a browser that hashed first.
        var session = await NewSessionAsync(tenant.User, projectId, cycle2);
        var fresh = Bytes(500, 2);
        var registered = await RegisterHashedAsync(tenant.User, session, skip: true, new() { ["SN1-copy/a.WAV"] = card, ["SN1-copy/new.WAV"] = fresh });

        Assert.Equal("duplicate", registered["SN1-copy/a.WAV"]["status"]!.GetValue<string>());
        Assert.Equal("C1/SN1/a.WAV", registered["SN1-copy/a.WAV"]["duplicate_of"]!.GetValue<string>());
        Assert.Equal("pending", registered["SN1-copy/new.WAV"]["status"]!.GetValue<string>());
        Assert.Null(registered["SN1-copy/new.WAV"]["duplicate_of"]);
        await UploadVerifiedAsync(tenant.User, session, new() { ["SN1-copy/new.WAV"] = fresh }, register: false);
        var finished = await ApiCalls.PostAsync(tenant.User, $"/api/sessions/{session}/finish", new { });
        Assert.Equal("completed", finished["status"]!.GetValue<string>());
        Assert.Equal(1, finished["skipped_files"]!.GetValue<long>());
        var listed = await FilesAsync(tenant.Viewer, session);
        Assert.Equal("skipped", listed["SN1-copy/a.WAV"]["status"]!.GetValue<string>());
        Assert.Equal("C1/SN1/a.WAV", listed["SN1-copy/a.WAV"]["duplicate_of"]!.GetValue<string>());
        Assert.Equal(["C2/SN1-copy/new.WAV"], (await fixture.S3.ListKeysAsync(bucket)).Where(k => k.StartsWith("C2/", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Complete_BytesAlreadyInTheProjectWithoutSkipDuplicates_UploadedAndNamesTheCopy()
    {
        var tenant = await fixture.NewTenantAsync();
        var (projectId, cycle1, _) = await fixture.NewProjectAsync(tenant, prefix: "C1");
        var cycle2 = await NewCycleAsync(tenant, projectId, "C2");
        var card = Bytes(9000, 3);
        await UploadVerifiedAsync(tenant.User, await NewSessionAsync(tenant.User, projectId, cycle1), new() { ["SN2/x.JPG"] = card });

        var session = await NewSessionAsync(tenant.User, projectId, cycle2);
        await UploadVerifiedAsync(tenant.User, session, new() { ["SN2/x.JPG"] = card, ["SN2/y.JPG"] = card });

        var listed = await FilesAsync(tenant.Viewer, session);
        Assert.Equal("uploaded", listed["SN2/x.JPG"]["status"]!.GetValue<string>());
        Assert.Equal("C1/SN2/x.JPG", listed["SN2/x.JPG"]["duplicate_of"]!.GetValue<string>());
        Assert.Equal("C1/SN2/x.JPG", listed["SN2/y.JPG"]["duplicate_of"]!.GetValue<string>());
    }

    [Fact]
    public async Task Register_PendingPathAgainWithItsHash_BecomesDuplicateAndTheSessionCompletes()
    {
        // What 'ferry upload --server --skip-duplicates' does: register by size, hash while uploading, ask again.
        var tenant = await fixture.NewTenantAsync();
        var (projectId, cycle1, _) = await fixture.NewProjectAsync(tenant, prefix: "C1");
        var cycle2 = await NewCycleAsync(tenant, projectId, "C2");
        var card = Bytes(4000, 4);
        await UploadVerifiedAsync(tenant.User, await NewSessionAsync(tenant.User, projectId, cycle1), new() { ["a.WAV"] = card });
        var session = await NewSessionAsync(tenant.User, projectId, cycle2);
        Assert.Equal("pending", (await RegisterAsync(tenant.User, session, new() { ["b.WAV"] = card.Length }))[0]["status"]!.GetValue<string>());

        var again = await RegisterHashedAsync(tenant.User, session, skip: true, new() { ["b.WAV"] = card });

        Assert.Equal("duplicate", again["b.WAV"]["status"]!.GetValue<string>());
        Assert.Equal("C1/a.WAV", again["b.WAV"]["duplicate_of"]!.GetValue<string>());
        var finished = await ApiCalls.PostAsync(tenant.User, $"/api/sessions/{session}/finish", new { });
        Assert.Equal("completed", finished["status"]!.GetValue<string>());
    }

    private static async Task<long> NewCycleAsync(Tenant tenant, long projectId, string name) =>
        (await ApiCalls.PostAsync(tenant.Admin, $"/api/projects/{projectId}/cycles", new { name, s3_prefix = name }))["id"]!.GetValue<long>();

    /// <summary>Registers (unless told not to), PUTs and completes the files, reporting MD5 and SHA-256 as the CLI does.</summary>
    internal static async Task UploadVerifiedAsync(HttpClient client, long session, Dictionary<string, byte[]> files, bool register = true)
    {
        if (register)
        {
            await RegisterAsync(client, session, files.ToDictionary(f => f.Key, f => (long)f.Value.Length));
        }

        var etags = await UploadAsync(client, session, files);
        var completed = await CompleteAsync(client, session, files.Keys.Select(p => new { path = p, etag = etags[p], md5 = Md5(files[p]), sha256 = Sha256(files[p]) }));
        Assert.All(completed, c => Assert.Equal("uploaded", c["status"]!.GetValue<string>()));
    }

    /// <summary>Registers files with their SHA-256, as the browser does when duplicates are to be checked; by path.</summary>
    internal static async Task<Dictionary<string, JsonNode>> RegisterHashedAsync(HttpClient client, long session, bool skip, Dictionary<string, byte[]> files)
    {
        var response = await ApiCalls.PostAsync(client, $"/api/sessions/{session}/files", new
        {
            files = files.Select(f => new { path = f.Key, size = f.Value.Length, last_modified = "2025-09-09T09:20:00Z", sha256 = Sha256(f.Value) }),
            skip_duplicates = skip,
        });
        return response["files"]!.AsArray().ToDictionary(f => f!["path"]!.GetValue<string>(), f => f!);
    }

    internal static async Task<Dictionary<string, JsonNode>> FilesAsync(HttpClient client, long session) =>
        (await client.GetFromJsonAsync<JsonObject>($"/api/sessions/{session}/files"))!["files"]!.AsArray().ToDictionary(f => f!["path"]!.GetValue<string>(), f => f!);

    internal static string Sha256(byte[] content) => Convert.ToHexStringLower(SHA256.HashData(content));
}

public sealed class DuplicateSessionTestsOnSqlite(SqliteServerFixture fixture) : DuplicateSessionTests<SqliteServerFixture>(fixture);

public sealed class DuplicateSessionTestsOnPostgres(PostgresServerFixture fixture) : DuplicateSessionTests<PostgresServerFixture>(fixture);
