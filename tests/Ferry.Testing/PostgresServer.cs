using System.Diagnostics;
using Npgsql;

namespace Ferry.Testing;

/// <summary>
/// A real PostgreSQL cluster for the test run (Debian's postgresql package): initdb into a temporary folder, started
/// with pg_ctl on a free loopback port, trust authentication, fsync off; stopped and removed when the process ends.
/// When the test process runs as root, the server runs as the 'postgres' user (PostgreSQL refuses root).
/// Tests get their own database each from <see cref="CreateDatabaseAsync"/>.
/// </summary>
public sealed class PostgresServer
{
    private static readonly Lazy<PostgresServer> SharedServer = new(Start, LazyThreadSafetyMode.ExecutionAndPublication);

    private readonly string _binDirectory;
    private readonly string _dataDirectory;
    private readonly bool _asPostgresUser;
    private int _databases;

    private PostgresServer(string binDirectory, string dataDirectory, int port, bool asPostgresUser)
    {
        _binDirectory = binDirectory;
        _dataDirectory = dataDirectory;
        Port = port;
        _asPostgresUser = asPostgresUser;
    }

    /// <summary>The cluster of this test process, started on first use.</summary>
    public static PostgresServer Shared => SharedServer.Value;

    public int Port { get; }

    public string ConnectionString(string database) => $"Host=127.0.0.1;Port={Port};Username=postgres;Database={database};Pooling=true;Maximum Pool Size=20";

    /// <summary>A new empty database; returns its connection string.</summary>
    public async Task<string> CreateDatabaseAsync()
    {
        var name = $"ferry_test_{Environment.ProcessId}_{Interlocked.Increment(ref _databases)}";
        await using var connection = new NpgsqlConnection(ConnectionString("postgres"));
        await connection.OpenAsync().ConfigureAwait(false);
        await using var command = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
        await command.ExecuteNonQueryAsync().ConfigureAwait(false);
        return ConnectionString(name);
    }

    private static PostgresServer Start()
    {
        var bin = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin")).Where(d => File.Exists(Path.Combine(d, "initdb"))).OrderDescending().FirstOrDefault()
            : null;
        if (bin is null)
        {
            throw new InvalidOperationException("PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb); scripts/test.sh installs it with apt-get install postgresql");
        }

        var root = geteuid() == 0;
        RemoveAbandoned(bin, root);
        var data = Path.Combine(Path.GetTempPath(), $"ferry-pg-{Environment.ProcessId}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(data);
        if (root)
        {
            Run("chown", ["postgres:postgres", data], asPostgres: false);
        }

        var port = FreePort.Next();
        var server = new PostgresServer(bin, data, port, root);
        server.RunTool("initdb", ["-D", Path.Combine(data, "db"), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync"]);
        server.RunTool("pg_ctl", ["-D", Path.Combine(data, "db"), "-w", "-t", "60", "-l", Path.Combine(data, "server.log"), "-o",
            $"-p {port} -k {data} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200", "start"]);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => server.Stop();
        return server;
    }

    /// <summary>Clusters left by test processes that died before their exit handler ran: stopped and removed.</summary>
    private static void RemoveAbandoned(string bin, bool root)
    {
        foreach (var folder in Directory.GetDirectories(Path.GetTempPath(), "ferry-pg-*"))
        {
            var parts = Path.GetFileName(folder).Split('-');
            if (parts.Length < 4 || !int.TryParse(parts[2], System.Globalization.CultureInfo.InvariantCulture, out var pid) || IsRunning(pid))
            {
                continue;
            }

            new PostgresServer(bin, folder, 0, root).Stop();
        }
    }

    private static bool IsRunning(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    private void Stop()
    {
        try
        {
            RunTool("pg_ctl", ["-D", Path.Combine(_dataDirectory, "db"), "-m", "immediate", "-w", "stop"]);
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }

        try
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Removed by the next run's RemoveAbandoned.
        }
    }

    private void RunTool(string tool, string[] arguments) => Run(Path.Combine(_binDirectory, tool), arguments, _asPostgresUser);

    private static void Run(string program, string[] arguments, bool asPostgres)
    {
        var start = new ProcessStartInfo(asPostgres ? "runuser" : program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (asPostgres)
        {
            foreach (var a in new[] { "-u", "postgres", "--", program })
            {
                start.ArgumentList.Add(a);
            }
        }

        foreach (var a in arguments)
        {
            start.ArgumentList.Add(a);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{Path.GetFileName(program)} failed ({process.ExitCode}): {error}{output.Result}");
        }
    }

    [System.Runtime.InteropServices.DllImport("libc")]
    private static extern uint geteuid();
}
