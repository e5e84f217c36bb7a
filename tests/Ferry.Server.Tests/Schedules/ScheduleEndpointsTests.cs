using System.Net;
using System.Text.Json.Nodes;
using Ferry.Server.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Ferry.Server.Tests.Schedules;

/// <summary>
/// The schedules as the system administrator sees and runs them (GET /api/schedules, POST /api/schedules/{name}/run,
/// the Schedules page), and the stalled-session sweep they run, on SQLite and PostgreSQL.
/// </summary>
public abstract class ScheduleEndpointsTests<TFixture>(TFixture fixture) : IClassFixture<TFixture> where TFixture : ServerFixture
{
    [Fact]
    public async Task List_SystemAdministrator_ShowsEverySchedule_DonationExportMondays0200Utc()
    {
        var schedules = (await ArrayAsync(await fixture.SystemAdminAsync(), "/api/schedules")).Select(s => s!.AsObject()).ToList();

        Assert.Equal(["donation-export", "donation-retention", "export-retry", "stalled-sessions"], schedules.Select(s => s["name"]!.GetValue<string>()));
        var export = schedules[0];
        Assert.Equal("cron 0 0 2 ? * MON (UTC)", export["schedule"]!.GetValue<string>());
        var next = export["next_fire_time"]!.GetValue<DateTimeOffset>().ToUniversalTime();
        Assert.Equal((DayOfWeek.Monday, 2, 0, 0), (next.DayOfWeek, next.Hour, next.Minute, next.Second));
        Assert.Null(schedules[1]["schedule"]); // retention is off unless the operator turns it on
        Assert.All(schedules, s => Assert.False(string.IsNullOrEmpty(s["misfire_rule"]!.GetValue<string>())));
    }

    [Fact]
    public async Task ListAndRun_CompanyAdministrator_Forbidden()
    {
        var tenant = await fixture.NewTenantAsync();

        Assert.Equal(HttpStatusCode.Forbidden, await ApiCalls.StatusAsync(tenant.Admin, HttpMethod.Get, "/api/schedules"));
        Assert.Equal(HttpStatusCode.Forbidden, await ApiCalls.StatusAsync(tenant.Admin, HttpMethod.Post, "/api/schedules/stalled-sessions/run"));
        Assert.Equal(HttpStatusCode.Forbidden, await ApiCalls.StatusAsync(tenant.Admin, HttpMethod.Get, "/api/schedules/stalled-sessions/runs"));
    }

    [Fact]
    public async Task Run_UnknownSchedule_NotFound()
    {
        Assert.Equal(HttpStatusCode.NotFound, await ApiCalls.StatusAsync(await fixture.SystemAdminAsync(), HttpMethod.Post, "/api/schedules/no-such-schedule/run"));
    }

    [Fact]
    public async Task RunStalledSessions_SessionIdleLongerThanTheLimit_ClosedAndTheRunRecorded()
    {
        var tenant = await fixture.NewTenantAsync();
        var (projectId, cycleId, _) = await fixture.NewProjectAsync(tenant);
        var stalled = await NewSessionWithOneFileAsync(tenant, projectId, cycleId);
        var fresh = await NewSessionWithOneFileAsync(tenant, projectId, cycleId);
        using (var scope = fixture.Factory.Services.CreateScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<FerryDbContext>();
            var twoDaysAgo = DateTimeOffset.UtcNow.AddDays(-2);
            await db.Sessions.Where(s => s.Id == stalled).ExecuteUpdateAsync(s => s.SetProperty(x => x.LastActivityAt, twoDaysAgo));
        }

        var system = await fixture.SystemAdminAsync();
        var before = await LastRunIdAsync(system);
        await ApiCalls.ReadAsync(await system.PostAsync("/api/schedules/stalled-sessions/run", null), HttpStatusCode.Accepted);

        var deadline = DateTime.UtcNow.AddSeconds(60);
        JsonObject? run;
        while ((run = (await ArrayAsync(system, "/api/schedules/stalled-sessions/runs")).Select(r => r!.AsObject()).FirstOrDefault(r => r["id"]!.GetValue<long>() > before && r["manual"]!.GetValue<bool>())) is null
            || run["finished_at"] is null)
        {
            Assert.True(DateTime.UtcNow < deadline, "the run asked for did not end within 60 s");
            await Task.Delay(200);
        }

        Assert.Equal("succeeded", run["outcome"]!.GetValue<string>());
        Assert.Equal("incomplete", (await ApiCalls.GetAsync(tenant.Viewer, $"/api/sessions/{stalled}"))["status"]!.GetValue<string>()); // its file is still pending
        Assert.Equal("active", (await ApiCalls.GetAsync(tenant.Viewer, $"/api/sessions/{fresh}"))["status"]!.GetValue<string>());
        var listed = (await ArrayAsync(system, "/api/schedules")).Single(s => s!["name"]!.GetValue<string>() == "stalled-sessions")!;
        Assert.True(listed["last_run"]!["id"]!.GetValue<long>() >= run["id"]!.GetValue<long>());
    }

    [Fact]
    public async Task Page_SystemAdministrator_ListsTheSchedules_CompanyAdministratorDenied()
    {
        using var admin = await WebCalls.SignInAsync(fixture, "admin", ServerFixture.AdminPassword);
        var page = await admin.GetStringAsync("/schedules");
        Assert.Contains("data-name=\"stalled-sessions\"", page, StringComparison.Ordinal);
        Assert.Contains("0 0 2 ? * MON", page, StringComparison.Ordinal);

        var tenant = await fixture.NewTenantAsync();
        var username = fixture.UniqueName("admin");
        await ApiCalls.PostAsync(await fixture.SystemAdminAsync(), "/api/users", new { username, password = "password-" + username, role = "admin", company_id = tenant.CompanyId });
        using var other = await WebCalls.SignInAsync(fixture, username, "password-" + username);
        using var denied = await other.GetAsync("/schedules");
        Assert.Equal(HttpStatusCode.Redirect, denied.StatusCode);
        Assert.StartsWith("/denied", denied.Headers.Location!.OriginalString.Replace("http://localhost", "", StringComparison.Ordinal), StringComparison.OrdinalIgnoreCase);
    }

    private static async Task<JsonArray> ArrayAsync(HttpClient client, string path) => (await ApiCalls.GetAsync(client, path))["items"]!.AsArray();

    private static async Task<long> LastRunIdAsync(HttpClient system) =>
        (await ArrayAsync(system, "/api/schedules/stalled-sessions/runs")).Select(r => r!["id"]!.GetValue<long>()).DefaultIfEmpty(0).Max();

    private static async Task<long> NewSessionWithOneFileAsync(Tenant tenant, long projectId, long cycleId)
    {
        var session = await ApiCalls.PostAsync(tenant.User, "/api/sessions", new { project_id = projectId, cycle_id = cycleId });
        var id = session["id"]!.GetValue<long>();
        await ApiCalls.PostAsync(tenant.User, $"/api/sessions/{id}/files", new { files = new[] { new { path = "SN1/a.wav", size = 10 } } });
        return id;
    }
}

public sealed class ScheduleEndpointsTestsOnSqlite(SqliteServerFixture fixture) : ScheduleEndpointsTests<SqliteServerFixture>(fixture);

public sealed class ScheduleEndpointsTestsOnPostgres(PostgresServerFixture fixture) : ScheduleEndpointsTests<PostgresServerFixture>(fixture);
