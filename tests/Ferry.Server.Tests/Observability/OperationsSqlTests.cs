using System.Text.Json;
using System.Text.RegularExpressions;
using Ferry.Testing;
using Npgsql;

namespace Ferry.Server.Tests.Observability;

/// <summary>
/// Every Grafana panel's SQL, read from docs/operations.md, run against a migrated PostgreSQL database holding
/// generated data: the columns and the values are checked. The dashboard and the alert rule must hold the same SQL.
/// </summary>
public sealed partial class OperationsSqlTests : IAsyncLifetime
{
    private static readonly Dictionary<string, string> Panels = PanelSql().Matches(File.ReadAllText(Path.Combine(RepositoryPaths.Root, "docs", "operations.md")))
        .ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value.Trim());

    private string _connection = "";

    public async Task InitializeAsync()
    {
        _connection = await PostgresServer.Shared.CreateDatabaseAsync();
        await FerryServer.MigrateAsync(new Dictionary<string, string?> { ["Ferry:Database"] = _connection }, CancellationToken.None);
        await ExecuteAsync(GeneratedData);
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public void Docs_ListEveryPanel() =>
        Assert.Equal(["active_sessions", "cycle_comparison", "file_types", "job_queue", "session_status", "stalled_sessions", "success_rate_trend", "totals_per_project"], Panels.Keys.Order(StringComparer.Ordinal));

    [Fact]
    public async Task ActiveSessions_ProgressAndSpeedOfOpenSessions()
    {
        var rows = await QueryAsync("active_sessions");

        Assert.Equal(["session", "project", "cycle", "client", "files_done", "total_files", "percent", "bytes_per_second", "last_activity_at"], rows.Columns);
        Assert.Equal([3L, 2L], rows.Values.Select(r => Convert.ToInt64(r[0])));
        var live = rows.Values[1];
        Assert.Equal(("Owls", "C2", "browser"), ((string)live[1], (string)live[2], (string)live[3]));
        Assert.Equal(5L, Convert.ToInt64(live[4]));
        Assert.Equal(10L, Convert.ToInt64(live[5]));
        Assert.Equal(50.0m, Convert.ToDecimal(live[6]));
        Assert.Equal(4m, Convert.ToDecimal(live[7]));
    }

    [Fact]
    public async Task StalledSessions_OnlyTheOpenSessionWithoutProgressFor15Minutes()
    {
        var rows = await QueryAsync("stalled_sessions");

        Assert.Equal(["session", "project", "cycle", "files_left", "minutes_idle"], rows.Columns);
        var row = Assert.Single(rows.Values);
        Assert.Equal(3L, Convert.ToInt64(row[0]));
        Assert.Equal(3L, Convert.ToInt64(row[3]));
        Assert.InRange(Convert.ToDecimal(row[4]), 40m, 41m);
    }

    [Fact]
    public async Task TotalsPerProject_VerifiedFilesAndBytesPerBucketIncludingEmptyProjects()
    {
        var rows = await QueryAsync("totals_per_project");

        Assert.Equal(["project", "bucket", "files", "bytes"], rows.Columns);
        Assert.Equal([("Owls", "owls-2026", 9L, 900L), ("Bats", "bats-2026", 1L, 100L), ("Empty", "empty-2026", 0L, 0L)],
            rows.Values.Select(r => ((string)r[0], (string)r[1], Convert.ToInt64(r[2]), Convert.ToInt64(r[3]))));
    }

    [Fact]
    public async Task SessionStatus_CountPerStatus()
    {
        var rows = await QueryAsync("session_status");

        Assert.Equal(["status", "sessions"], rows.Columns);
        Assert.Equal([("active", 2L), ("completed", 1L), ("incomplete", 1L)], rows.Values.Select(r => ((string)r[0], Convert.ToInt64(r[1]))));
    }

    [Fact]
    public async Task CycleComparison_EveryCycleWithItsSessionsAndCounts()
    {
        var rows = await QueryAsync("cycle_comparison");

        Assert.Equal(["project", "cycle", "sessions", "uploaded_files", "uploaded_bytes", "failed_files", "first_session"], rows.Columns);
        Assert.Equal([("Bats", "C1", 2L, 3L, 300L, 1L), ("Empty", "C1", 0L, 0L, 0L, 0L), ("Owls", "C1", 1L, 3L, 300L, 0L), ("Owls", "C2", 1L, 4L, 400L, 1L)],
            rows.Values.Select(r => ((string)r[0], (string)r[1], Convert.ToInt64(r[2]), Convert.ToInt64(r[3]), Convert.ToInt64(r[4]), Convert.ToInt64(r[5]))));
        Assert.Equal(DBNull.Value, rows.Values[1][6]);
    }

    [Fact]
    public async Task SuccessRateTrend_OnePointPerDay()
    {
        var rows = await QueryAsync("success_rate_trend");

        Assert.Equal(["time", "success_percent"], rows.Columns);
        Assert.Equal([100.00m, 50.00m, 83.33m], rows.Values.Select(r => Convert.ToDecimal(r[1])));
        Assert.Equal(3, rows.Values.Select(r => (DateTime)r[0]).Distinct().Count());
    }

    [Fact]
    public async Task FileTypes_VerifiedFilesByLowerCaseExtension()
    {
        var rows = await QueryAsync("file_types");

        Assert.Equal(["extension", "files", "bytes"], rows.Columns);
        Assert.Equal([("wav", 8L, 800L), ("jpg", 1L, 100L), ("txt", 1L, 100L)], rows.Values.Select(r => ((string)r[0], Convert.ToInt64(r[1]), Convert.ToInt64(r[2]))));
    }

    [Fact]
    public async Task JobQueue_CountPerStatus()
    {
        var rows = await QueryAsync("job_queue");

        Assert.Equal(["status", "jobs"], rows.Columns);
        Assert.Equal([("completed", 1L), ("queued", 2L), ("running", 1L)], rows.Values.Select(r => ((string)r[0], Convert.ToInt64(r[1]))));
    }

    [Fact]
    public void Dashboard_HoldsExactlyTheDocumentedSql()
    {
        using var dashboard = JsonDocument.Parse(File.ReadAllText(Path.Combine(RepositoryPaths.Root, "deploy", "grafana", "dashboards", "ferry.json")));
        var panels = dashboard.RootElement.GetProperty("panels").EnumerateArray()
            .ToDictionary(p => PanelKey().Match(p.GetProperty("description").GetString()!).Groups[1].Value, p => p.GetProperty("targets")[0].GetProperty("rawSql").GetString()!);

        Assert.Equal(Panels.Keys.Order(StringComparer.Ordinal), panels.Keys.Order(StringComparer.Ordinal));
        foreach (var (key, sql) in Panels)
        {
            Assert.Equal(sql, panels[key]);
        }

        var alert = File.ReadAllText(Path.Combine(RepositoryPaths.Root, "deploy", "grafana", "provisioning", "alerting", "ferry-alerts.yaml"));
        foreach (var line in Panels["stalled_sessions"].TrimEnd(';').Split('\n'))
        {
            Assert.Contains(line.Trim(), alert, StringComparison.Ordinal);
        }
    }

    private async Task<(List<string> Columns, List<object[]> Values)> QueryAsync(string panel)
    {
        await using var connection = new NpgsqlConnection(_connection);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(Panels[panel], connection);
        await using var reader = await command.ExecuteReaderAsync();
        var columns = Enumerable.Range(0, reader.FieldCount).Select(reader.GetName).ToList();
        var values = new List<object[]>();
        while (await reader.ReadAsync())
        {
            var row = new object[reader.FieldCount];
            reader.GetValues(row);
            values.Add(row);
        }

        return (columns, values);
    }

    private async Task ExecuteAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(_connection);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>
    /// Three projects (one without sessions), four cycles, four sessions (one live, one stalled for 40 minutes, one
    /// completed, one incomplete), their files on three distinct days, verified objects, and four jobs.
    /// </summary>
    private const string GeneratedData = """
        INSERT INTO companies (id, name, created_at) VALUES (1, 'Acme', now());
        INSERT INTO users (id, company_id, username, password_hash, role, is_system_admin, created_at, password_changed_at) VALUES (1, 1, 'ana', 'x', 'admin', false, now(), now());
        INSERT INTO projects (id, company_id, name, bucket_name, region, created_at) VALUES
            (1, 1, 'Owls', 'owls-2026', 'eu-west-1', now()), (2, 1, 'Bats', 'bats-2026', 'eu-west-1', now()), (3, 1, 'Empty', 'empty-2026', 'eu-west-1', now());
        INSERT INTO cycles (id, project_id, name, s3_prefix, created_at) VALUES (1, 1, 'C1', 'C1/', now()), (2, 1, 'C2', 'C2/', now()), (3, 2, 'C1', 'C1/', now()), (4, 3, 'C1', 'C1/', now());
        INSERT INTO upload_sessions (id, company_id, project_id, cycle_id, user_id, client, status, started_at, finished_at, last_activity_at, first_upload_at,
            total_files, uploaded_files, skipped_files, failed_files, total_bytes, uploaded_bytes, skipped_bytes) VALUES
            (1, 1, 1, 1, 1, 'cli', 'completed', now() - interval '3 days', now() - interval '3 days' + interval '1 hour', now() - interval '3 days' + interval '1 hour', now() - interval '3 days', 4, 3, 1, 0, 400, 300, 100),
            (2, 1, 1, 2, 1, 'browser', 'active', now() - interval '10 minutes', NULL, now() - interval '100 seconds', now() - interval '200 seconds', 10, 4, 1, 1, 1000, 400, 100),
            (3, 1, 2, 3, 1, 'job', 'active', now() - interval '2 hours', NULL, now() - interval '40 minutes', now() - interval '2 hours', 5, 2, 0, 0, 500, 200, 0),
            (4, 1, 2, 3, 1, 'cli', 'incomplete', now() - interval '1 day', now() - interval '1 day', now() - interval '1 day', now() - interval '1 day', 2, 1, 0, 1, 200, 100, 0);
        INSERT INTO session_files (session_id, path, key, size, status, registered_at, updated_at) VALUES
            (1, 'SN1/a.wav', 'C1/SN1/a.wav', 100, 'uploaded', now(), date_trunc('day', now()) - interval '2 days' + interval '12 hours'),
            (1, 'SN1/b.WAV', 'C1/SN1/b.WAV', 100, 'uploaded', now(), date_trunc('day', now()) - interval '2 days' + interval '12 hours'),
            (1, 'SN1/c.jpg', 'C1/SN1/c.jpg', 100, 'uploaded', now(), date_trunc('day', now()) - interval '2 days' + interval '12 hours'),
            (1, 'SN1/d.wav', 'C1/SN1/d.wav', 100, 'skipped', now(), date_trunc('day', now()) - interval '2 days' + interval '12 hours'),
            (4, 'x.txt', 'C1/x.txt', 100, 'uploaded', now(), date_trunc('day', now()) - interval '1 day' + interval '12 hours'),
            (4, 'y', 'C1/y', 100, 'failed', now(), date_trunc('day', now()) - interval '1 day' + interval '12 hours'),
            (2, 'S/1.wav', 'C2/S/1.wav', 100, 'uploaded', now(), date_trunc('day', now())),
            (2, 'S/2.wav', 'C2/S/2.wav', 100, 'uploaded', now(), date_trunc('day', now())),
            (2, 'S/3.wav', 'C2/S/3.wav', 100, 'uploaded', now(), date_trunc('day', now())),
            (2, 'S/4.wav', 'C2/S/4.wav', 100, 'uploaded', now(), date_trunc('day', now())),
            (2, 'S/5.wav', 'C2/S/5.wav', 100, 'skipped', now(), date_trunc('day', now())),
            (2, 'S/6.jpg', 'C2/S/6.jpg', 100, 'failed', now(), date_trunc('day', now())),
            (2, 'S/7.wav', 'C2/S/7.wav', 100, 'pending', now(), date_trunc('day', now())),
            (2, 'S/8.wav', 'C2/S/8.wav', 100, 'pending', now(), date_trunc('day', now()));
        INSERT INTO verified_objects (project_id, key, size, session_id, verified_at)
            SELECT 1, 'C1/' || n, 100, 1, now() FROM generate_series(1, 4) n
            UNION ALL SELECT 1, 'C2/' || n, 100, 2, now() FROM generate_series(1, 5) n
            UNION ALL SELECT 2, 'C1/x.txt', 100, 4, now();
        INSERT INTO upload_jobs (company_id, project_id, cycle_id, session_id, user_id, local_directory, status, created_at) VALUES
            (1, 2, 3, 3, 1, '/data/a', 'running', now()), (1, 1, 2, 2, 1, '/data/b', 'queued', now()), (1, 1, 2, 2, 1, '/data/c', 'queued', now()), (1, 1, 1, 1, 1, '/data/d', 'completed', now());
        """;

    [GeneratedRegex("```sql panel=(\\w+)\\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex PanelSql();

    [GeneratedRegex("ferry panel (\\w+);")]
    private static partial Regex PanelKey();
}
