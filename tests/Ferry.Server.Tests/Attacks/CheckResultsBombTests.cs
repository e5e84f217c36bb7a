using System.Net;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Ferry.Client.Contracts;
using Ferry.Server.Checks;
using Ferry.Server.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Ferry.Server.Tests.Attacks;

/// <summary>
/// One company's user sends the largest check results the body limit allows (1,000 folders of 1,024 '&lt;' with ten
/// 500-character examples each, ~6 M characters that default JSON escaping would store as ~36 MB). The server stores at
/// most 256 KiB per session, says on the session's page what it left out, and listing sessions never reads them.
/// </summary>
public abstract class CheckResultsBombTests<TFixture>(TFixture fixture) : IClassFixture<TFixture> where TFixture : ServerFixture
{
    [Fact]
    public async Task Create_LargestChecksTheBodyAllows_StoredWithinTheCapAndThePageSaysWhatWasLeftOut()
    {
        var (tenant, browser, projectId, cycleId) = await TenantAsync();
        var checks = Enumerable.Range(0, SensorFolderCheck.MaximumFolders).Select(i => new SensorFolderCheck(
            $"{i:D4}" + new string('<', 1020), 10, 1000, Warnings: 25, Examples: Enumerable.Repeat(new string('<', SensorFolderCheck.MaximumText), SensorFolderCheck.MaximumExamples).ToList())).ToList();

        var sessionId = await CreateAsync(tenant.User, projectId, cycleId, checks);

        await using (var scope = fixture.Factory.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<FerryDbContext>();
            var stored = await db.SessionCheckResults.AsNoTracking().SingleAsync(c => c.SessionId == sessionId);
            Assert.InRange(Encoding.UTF8.GetByteCount(stored.Results), 1, SessionCheckStore.MaximumBytes);
            Assert.DoesNotContain("\\u003C", stored.Results, StringComparison.Ordinal); // relaxed escaping: '<' is one byte
            Assert.Equal(SensorFolderCheck.MaximumFolders * SensorFolderCheck.MaximumExamples, stored.OmittedExamples);
            var kept = JsonSerializer.Deserialize<List<SensorFolderCheck>>(stored.Results, SessionCheckJson.Options)!;
            Assert.Equal(SensorFolderCheck.MaximumFolders, kept.Count + stored.OmittedFolders);
            Assert.True(kept.Count > 100, $"only {kept.Count} folders kept");
            Assert.Equal(checks.Take(kept.Count).Select(c => c.Folder), kept.Select(c => c.Folder)); // the first folders, in order
            Assert.All(kept, c => Assert.Equal(25, c.Warnings)); // the counts stay whole
        }

        var page = await browser.GetStringAsync($"/sessions/{sessionId}");
        Assert.Contains("id=\"checks-truncated\"", page, StringComparison.Ordinal);
        Assert.Contains($"{SensorFolderCheck.MaximumFolders * SensorFolderCheck.MaximumExamples} warning example(s)", page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Create_ChecksWithinTheCap_StoredWholeAndShownOnTheSessionPage()
    {
        var (tenant, browser, projectId, cycleId) = await TenantAsync();
        var marker = fixture.UniqueName("checkmarker");
        var sessionId = await CreateAsync(tenant.User, projectId, cycleId, [new SensorFolderCheck("SN1", 3, 300, Warnings: 1, Examples: [marker + " <clock> é"])]);

        var page = await browser.GetStringAsync($"/sessions/{sessionId}");

        Assert.Contains(marker, page, StringComparison.Ordinal);
        Assert.DoesNotContain("id=\"checks-truncated\"", page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ListAndSessionsPage_SessionsWithCheckResults_CarryNoneOfThem()
    {
        var (tenant, browser, projectId, cycleId) = await TenantAsync();
        var marker = fixture.UniqueName("listmarker");
        var checks = Enumerable.Range(0, 3).Select(i => new SensorFolderCheck($"SN{i}-{marker}", 1, 1, Warnings: 1, Examples: [marker])).ToList();
        var sessionId = await CreateAsync(tenant.User, projectId, cycleId, checks);

        using var list = await tenant.Viewer.GetAsync("/api/sessions?limit=1000");
        var listed = await list.Content.ReadAsStringAsync();
        var sessionsPage = await browser.GetStringAsync("/sessions");

        Assert.Equal(HttpStatusCode.OK, list.StatusCode);
        Assert.Contains($"\"id\":{sessionId}", listed, StringComparison.Ordinal);
        Assert.DoesNotContain(marker, listed, StringComparison.Ordinal);
        Assert.Contains($"/sessions/{sessionId}", sessionsPage, StringComparison.Ordinal);
        Assert.DoesNotContain(marker, sessionsPage, StringComparison.Ordinal);
        // By construction: a session row has no check results to load; they are their own table, read by the session's page only.
        await using var scope = fixture.Factory.Services.CreateAsyncScope();
        var model = scope.ServiceProvider.GetRequiredService<FerryDbContext>().Model.FindEntityType(typeof(UploadSession))!;
        Assert.DoesNotContain(model.GetProperties(), p => p.GetColumnName().Contains("check", StringComparison.Ordinal));
    }

    [Fact]
    public void Fit_ExamplesFirstFromTheEnd_ThenWholeFoldersFromTheEnd()
    {
        var checks = Enumerable.Range(0, 4).Select(i => new SensorFolderCheck($"F{i}", 1, 1, Warnings: 2, Examples: [new string('x', 100), new string('y', 100)])).ToList();
        var whole = SessionCheckStore.Fit(1, checks, maximumBytes: 100_000);
        var examplesOfTheLastFolderOut = SessionCheckStore.Fit(1, checks, maximumBytes: Encoding.UTF8.GetByteCount(whole.Results) - 150);
        var onlyTwoFolders = SessionCheckStore.Fit(1, checks, maximumBytes: 2 * Encoding.UTF8.GetByteCount(JsonSerializer.Serialize(checks[0] with { Examples = null }, SessionCheckJson.Options)) + 3);

        Assert.Equal((0, 0), (whole.OmittedFolders, whole.OmittedExamples));
        Assert.Equal((0, 2), (examplesOfTheLastFolderOut.OmittedFolders, examplesOfTheLastFolderOut.OmittedExamples));
        var kept = JsonSerializer.Deserialize<List<SensorFolderCheck>>(examplesOfTheLastFolderOut.Results, SessionCheckJson.Options)!;
        Assert.Equal([2, 2, 2, 0], kept.Select(c => c.Examples?.Count ?? 0));
        Assert.Equal((2, 8), (onlyTwoFolders.OmittedFolders, onlyTwoFolders.OmittedExamples));
        Assert.Equal(["F0", "F1"], JsonSerializer.Deserialize<List<SensorFolderCheck>>(onlyTwoFolders.Results, SessionCheckJson.Options)!.Select(c => c.Folder));
    }

    private async Task<(Tenant Tenant, HttpClient Browser, long ProjectId, long CycleId)> TenantAsync()
    {
        var tenant = await fixture.NewTenantAsync();
        var (projectId, cycleId, _) = await fixture.NewProjectAsync(tenant);
        var username = fixture.UniqueName("viewer");
        await ApiCalls.PostAsync(await fixture.SystemAdminAsync(), "/api/users", new { username, password = "password-" + username, role = "viewer", company_id = tenant.CompanyId });
        return (tenant, await WebCalls.SignInAsync(fixture, username, "password-" + username), projectId, cycleId);
    }

    private static readonly JsonSerializerOptions ClientJson = new(JsonSerializerDefaults.Web) { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Creates the session with the body a client would send (relaxed escaping keeps it within the body limit).</summary>
    private static async Task<long> CreateAsync(HttpClient client, long projectId, long cycleId, List<SensorFolderCheck> checks)
    {
        var json = JsonSerializer.Serialize(new { project_id = projectId, cycle_id = cycleId, checks }, ClientJson);
        using var content = new StringContent(json, Encoding.UTF8, "application/json");
        var created = await ApiCalls.ReadAsync(await client.PostAsync("/api/sessions", content), HttpStatusCode.Created);
        return created["id"]!.GetValue<long>();
    }
}

public sealed class CheckResultsBombTestsOnSqlite(SqliteServerFixture fixture) : CheckResultsBombTests<SqliteServerFixture>(fixture);

public sealed class CheckResultsBombTestsOnPostgres(PostgresServerFixture fixture) : CheckResultsBombTests<PostgresServerFixture>(fixture);
