using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Ferry.Testing;

namespace Ferry.Cli.Tests.Commands;

/// <summary>
/// Ferry's schedules (Quartz.NET with its persistent store in Ferry's database) across real processes: two
/// 'ferry serve' processes on one PostgreSQL run each fire time of a schedule exactly once; a restart across missed
/// fire times neither loses nor doubles a run (the misfire rule "fire once now"), on PostgreSQL and on SQLite.
/// Waits are generous; nothing asserts how long anything took.
/// </summary>
public sealed class ScheduleClusterTests : IAsyncLifetime
{
    private const string AdminPassword = "schedule-admin-password";
    private readonly TempDirectory _home = new("cli-schedules");
    private readonly List<Process> _processes = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var process in _processes)
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
            }

            process.Dispose();
        }

        _home.Dispose();
    }

    [Fact]
    public async Task TwoServersOnePostgres_CronEveryTwoSeconds_EachFireTimeRunsExactlyOnce()
    {
        var database = await PostgresServer.Shared.CreateDatabaseAsync();
        var every2s = new Dictionary<string, string> { ["Ferry__Schedules__StalledSessions"] = "0/2 * * * * ?" };
        await MigrateAsync(database);
        var (first, url) = await ServeAsync("server-a", database, every2s);
        var (second, _) = await ServeAsync("server-b", database, every2s);
        using var api = await FerryServerClient.SignInAsync(url, "admin", AdminPassword);

        // Both processes are in the cluster (Quartz's scheduler_state) and at least 10 fire times have been run.
        var runs = await WaitForRunsAsync(api, "stalled-sessions", r => r.Count(x => x["outcome"]!.GetValue<string>() == "succeeded") >= 10, first, second);

        var perFireTime = runs.GroupBy(r => r["scheduled_for"]!.GetValue<DateTimeOffset>()).ToList();
        Assert.All(perFireTime, g => Assert.True(g.Count() == 1, $"fire time {g.Key:O} ran {g.Count()} times: {string.Join(", ", g.Select(r => r["instance"]))}"));
        Assert.All(runs, r => Assert.False(r["manual"]!.GetValue<bool>()));
        Assert.All(perFireTime, g => Assert.Equal(0, g.Key.Second % 2));
        Assert.False(first.HasExited || second.HasExited);
    }

    [Theory]
    [InlineData("postgres")]
    [InlineData("sqlite")]
    public async Task Restart_TwoFireTimesMissedWhileStopped_FiresOnceNowNotTwice(string provider)
    {
        var database = provider == "postgres" ? await PostgresServer.Shared.CreateDatabaseAsync() : $"Data Source={_home.Combine("shared-sqlite.db")}";
        await MigrateAsync(database);

        // A retention cron with exactly two fire times, A and A+3 s, in the future: the first process stores the trigger
        // and stops before A; the second starts after both have passed.
        var now = DateTimeOffset.UtcNow;
        var a = new DateTimeOffset(now.Year, now.Month, now.Day, now.Hour, now.Minute, now.Second, TimeSpan.Zero).AddSeconds(75);
        if (a.Second > 55)
        {
            a = a.AddSeconds(60 - a.Second + 1); // A and A+3 s in one minute
        }

        var b = a.AddSeconds(3);
        var cron = string.Create(CultureInfo.InvariantCulture, $"{a.Second},{b.Second} {a.Minute} {a.Hour} {a.Day} {a.Month} ? {a.Year}");
        var settings = new Dictionary<string, string> { ["Ferry__Schedules__DonationRetention"] = cron, ["Ferry__Schedules__MisfireThreshold"] = "00:00:01" };

        var (first, url) = await ServeAsync("restart-1", database, settings);
        using (var api = await FerryServerClient.SignInAsync(url, "admin", AdminPassword))
        {
            var stored = await ScheduleAsync(api, "donation-retention");
            Assert.Equal(a, stored["next_fire_time"]!.GetValue<DateTimeOffset>());
            Assert.True(DateTimeOffset.UtcNow < a, $"the first process took until {DateTimeOffset.UtcNow:O} to start; the test needs it stopped before {a:O}");
        }

        await StopAsync(first);
        Assert.True(DateTimeOffset.UtcNow < a, "the first process stopped after the first fire time");
        while (DateTimeOffset.UtcNow < b.AddSeconds(3))
        {
            await Task.Delay(500);
        }

        var (second, url2) = await ServeAsync("restart-2", database, settings);
        using var api2 = await FerryServerClient.SignInAsync(url2, "admin", AdminPassword);
        // Done when the trigger has no fire time left (Quartz removes it) and its run has ended.
        var deadline = DateTime.UtcNow.AddMinutes(2);
        List<JsonObject> runs;
        while (true)
        {
            runs = await RunsAsync(api2, "donation-retention");
            var schedule = await ScheduleAsync(api2, "donation-retention");
            if (schedule["next_fire_time"] is null && runs.All(r => r["finished_at"] is not null) && runs.Count > 0)
            {
                break;
            }

            Assert.True(DateTime.UtcNow < deadline, $"no catch-up run after 2 minutes: {schedule.ToJsonString()}\n{ProcessOutput.Of(second)?.Tail}");
            await Task.Delay(500);
        }

        var run = Assert.Single(runs);
        Assert.Equal("succeeded", run["outcome"]!.GetValue<string>());
        Assert.False(run["manual"]!.GetValue<bool>());
        Assert.True(run["started_at"]!.GetValue<DateTimeOffset>() > b, "the run started after both missed fire times, in the second process");
    }

    private async Task MigrateAsync(string database)
    {
        var migrated = await Ferry("migrate", []).RunAsync("db", "migrate", "--db", database);
        Assert.True(migrated.ExitCode == 0, migrated.ToString());
    }

    private async Task<(Process Process, string Url)> ServeAsync(string machine, string database, Dictionary<string, string> settings)
    {
        // Servers sharing a database share storage.key, as docs/operations.md (Scaling out) tells operators to do.
        var storageKey = _home.Combine(machine, "ferry", "storage.key");
        if (!File.Exists(storageKey) && Directory.GetFiles(_home.Path, "storage.key", SearchOption.AllDirectories).FirstOrDefault() is { } existing)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(storageKey)!);
            File.Copy(existing, storageKey);
        }

        var url = $"http://127.0.0.1:{FreePort.Next()}";
        var process = Ferry(machine, settings).Start("serve", "--urls", url, "--db", database);
        ProcessOutput.Drain(process);
        _processes.Add(process);
        await FerryServerClient.WaitUntilHealthyAsync(url, process);
        return (process, url);
    }

    /// <summary>SIGTERM, as systemd and docker stop send it; the process must exit by itself.</summary>
    private static async Task StopAsync(Process process)
    {
        using (var kill = Process.Start("kill", ["-TERM", process.Id.ToString(CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        Assert.True(process.ExitCode == 0, $"exit {process.ExitCode}\n{ProcessOutput.Of(process)?.Tail}");
    }

    private static async Task<JsonObject> ScheduleAsync(HttpClient api, string name) =>
        (await api.GetFromJsonAsync<JsonArray>("/api/schedules"))!.Select(s => s!.AsObject()).Single(s => s["name"]!.GetValue<string>() == name);

    private static async Task<List<JsonObject>> RunsAsync(HttpClient api, string name) =>
        (await api.GetFromJsonAsync<JsonArray>($"/api/schedules/{name}/runs"))!.Select(r => r!.AsObject()).ToList();

    private static async Task<List<JsonObject>> WaitForRunsAsync(HttpClient api, string name, Func<List<JsonObject>, bool> enough, params Process[] processes)
    {
        var deadline = DateTime.UtcNow.AddMinutes(3);
        while (true)
        {
            var runs = await RunsAsync(api, name);
            if (enough(runs))
            {
                // Runs still going are left out: each fire time is counted once it has ended.
                return runs.Where(r => r["finished_at"] is not null).ToList();
            }

            foreach (var process in processes)
            {
                Assert.False(process.HasExited, "ferry serve exited:\n" + ProcessOutput.Of(process)?.Tail);
            }

            Assert.True(DateTime.UtcNow < deadline, $"only {runs.Count} run(s) of {name} after 3 minutes");
            await Task.Delay(500);
        }
    }

    private FerryProcess Ferry(string machine, Dictionary<string, string> settings)
    {
        var ferry = new FerryProcess(_home.Combine(machine));
        ferry["FERRY_ADMIN_PASSWORD"] = AdminPassword;
        ferry["Ferry__Schedules__ClusterCheckinInterval"] = "00:00:01";
        foreach (var (key, value) in settings)
        {
            ferry[key] = value;
        }

        return ferry;
    }
}
