using System.Diagnostics;
using System.Security.Cryptography;
using Ferry.Testing;
using Npgsql;

namespace Ferry.Server.Tests.Replicas;

/// <summary>
/// Two <c>ferry serve</c> processes — two machines, each with a data directory of its own and the same
/// <c>storage.key</c> — on one fresh PostgreSQL database, migrated by two <c>ferry db migrate</c> run at the same
/// moment and then started at the same moment; behind them a round-robin load balancer (<see cref="RoundRobinProxy"/>),
/// in front of S3 (s3rver) a <see cref="FaultProxy"/>. What happened at start-up is kept for the tests to check.
/// </summary>
public sealed class ReplicaFixture : IAsyncLifetime
{
    public const string AdminPassword = "replicas-admin-password";

    /// <summary>Failed sign-ins allowed per user name and address (Ferry:LoginAttempts) on both replicas.</summary>
    public const int LoginAttempts = 3;

    private readonly TempDirectory _home = new("ferry-replicas");
    private readonly Process?[] _servers = new Process?[2];

    public string[] Urls { get; } = [$"http://127.0.0.1:{FreePort.Next()}", $"http://127.0.0.1:{FreePort.Next()}"];

    public string Database { get; private set; } = "";

    public S3rverServer S3 { get; private set; } = null!;

    /// <summary>S3 as the servers' storage location reaches it (holds or counts requests on demand).</summary>
    public FaultProxy S3Proxy { get; private set; } = null!;

    public RoundRobinProxy Proxy { get; private set; } = null!;

    /// <summary>The two concurrent <c>ferry db migrate</c> runs.</summary>
    public IReadOnlyList<FerryResult> Migrations { get; private set; } = [];

    /// <summary>What each replica printed on standard output during its start (the first administrator is announced there).</summary>
    public string[] StartOutput { get; } = ["", ""];

    public string Home => _home.Path;

    public async Task InitializeAsync()
    {
        S3 = await S3rverServer.StartAsync();
        S3Proxy = await FaultProxy.StartAsync(S3.Endpoint);
        Database = await PostgresServer.Shared.CreateDatabaseAsync();
        // storage.key must be the same on every replica (it seals the shared keys): the operator copies it to each.
        var storageKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        for (var i = 0; i < 2; i++)
        {
            Directory.CreateDirectory(DataDirectory(i));
            await File.WriteAllTextAsync(Path.Combine(DataDirectory(i), "storage.key"), storageKey);
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(Path.Combine(DataDirectory(i), "storage.key"), UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }
        }

        Migrations = await Task.WhenAll(RunAsync(Replica(0), "db", "migrate", "--db", Database), RunAsync(Replica(1), "db", "migrate", "--db", Database));
        await Task.WhenAll(StartAsync(0), StartAsync(1));
        Proxy = await RoundRobinProxy.StartAsync(Urls);
    }

    public async Task DisposeAsync()
    {
        for (var i = 0; i < 2; i++)
        {
            await KillAsync(i);
        }

        if (Proxy is not null)
        {
            await Proxy.DisposeAsync();
        }

        if (S3Proxy is not null)
        {
            await S3Proxy.DisposeAsync();
        }

        if (S3 is not null)
        {
            await S3.DisposeAsync();
        }

        _home.Dispose();
    }

    /// <summary>Starts replica <paramref name="index"/> (when it is not running) and waits until it is healthy.</summary>
    public async Task StartAsync(int index)
    {
        if (_servers[index] is { HasExited: false })
        {
            return;
        }

        var info = Replica(index).StartInfo("serve", "--urls", Urls[index], "--db", Database);
        var server = Process.Start(info)!;
        var output = ProcessOutput.Drain(server);
        _servers[index] = server;
        await FerryServerClient.WaitUntilHealthyAsync(Urls[index], server);
        StartOutput[index] = output.Tail;
    }

    /// <summary>SIGKILL: the replica dies with no clean-up, as a crashed machine.</summary>
    public async Task KillAsync(int index)
    {
        if (_servers[index] is { } server)
        {
            if (!server.HasExited)
            {
                server.Kill(entireProcessTree: true);
                await server.WaitForExitAsync();
            }

            server.Dispose();
            _servers[index] = null;
        }
    }

    /// <summary>A count from the shared database.</summary>
    public async Task<long> CountAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(Database);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>The ferry CLI on a laptop of its own (its own token store and journal).</summary>
    public FerryProcess Laptop(string name) => new(Path.Combine(_home.Path, name));

    public static Task<FerryResult> RunAsync(FerryProcess ferry, params string[] args) => ferry.RunAsync(args);

    private string DataDirectory(int index) => Path.Combine(_home.Path, $"replica-{index}", "ferry");

    private FerryProcess Replica(int index)
    {
        var ferry = new FerryProcess(Path.Combine(_home.Path, $"replica-{index}"));
        ferry["FERRY_ADMIN_PASSWORD"] = AdminPassword;
        ferry["Ferry__Storage__AllowPrivateEndpoints"] = "true"; // s3rver is on 127.0.0.1
        ferry["Ferry__LoginAttempts"] = LoginAttempts.ToString(System.Globalization.CultureInfo.InvariantCulture);
        ferry["Ferry__FailedLoginDelay"] = "00:00:00.100";
        return ferry;
    }
}
