using System.Diagnostics;
using Ferry.Testing;

namespace Ferry.Server.Tests.Deploy;

/// <summary>deploy/: the compose file passes `docker compose config` (no engine needed) and refuses to run without passwords; the image and the units run ferry as a non-root user.</summary>
public sealed class DeployFilesTests
{
    private static readonly string Deploy = Path.Combine(RepositoryPaths.Root, "deploy");

    [Fact]
    public async Task ComposeConfig_WithTheExampleSettings_ValidWithServerWorkersDatabaseAndGrafana()
    {
        var (exit, output) = await ComposeAsync("--env-file", Path.Combine(Deploy, ".env.example"), "-f", Path.Combine(Deploy, "compose.yaml"), "config");

        Assert.True(exit == 0, output);
        foreach (var expected in new[] { "db:", "migrate:", "server:", "worker:", "grafana:", "service_completed_successfully", "/etc/grafana/provisioning", "FERRY_ALLOWED_ROOTS: /data", "FERRY_PROMETHEUS_URL: http://prometheus:9090" })
        {
            Assert.Contains(expected, output, StringComparison.Ordinal);
        }

        Assert.Contains("Password=change-me-database-password", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ComposeConfig_WithoutPasswords_RefusedNamingTheSetting()
    {
        var empty = Path.Combine(Path.GetTempPath(), "ferry-empty-" + Guid.NewGuid().ToString("N") + ".env");
        await File.WriteAllTextAsync(empty, "");
        try
        {
            var (exit, output) = await ComposeAsync("--env-file", empty, "-f", Path.Combine(Deploy, "compose.yaml"), "config");

            Assert.NotEqual(0, exit);
            Assert.Contains("POSTGRES_PASSWORD", output, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(empty);
        }
    }

    [Fact]
    public void ImageAndUnits_RunFerryAsANonRootUser()
    {
        var dockerfile = File.ReadAllText(Path.Combine(Deploy, "Dockerfile"));
        var server = File.ReadAllText(Path.Combine(Deploy, "systemd", "ferry.service"));
        var worker = File.ReadAllText(Path.Combine(Deploy, "systemd", "ferry-worker@.service"));

        Assert.Contains("USER ferry", dockerfile, StringComparison.Ordinal);
        Assert.Contains("ENTRYPOINT [\"dotnet\", \"/opt/ferry/ferry.dll\"]", dockerfile, StringComparison.Ordinal);
        Assert.Contains("ExecStart=/opt/ferry/ferry serve", server, StringComparison.Ordinal);
        Assert.Contains("ExecStart=/opt/ferry/ferry worker", worker, StringComparison.Ordinal);
        Assert.All(new[] { server, worker }, unit => Assert.Contains("User=ferry", unit, StringComparison.Ordinal));
    }

    /// <summary>`docker compose` when the plugin is there, else Debian's docker-compose (same file format and config check).</summary>
    private static async Task<(int Exit, string Output)> ComposeAsync(params string[] args)
    {
        var (plugin, _) = await RunAsync("docker", ["compose", "version"]);
        return plugin == 0 ? await RunAsync("docker", ["compose", .. args]) : await RunAsync("docker-compose", args);
    }

    private static async Task<(int Exit, string Output)> RunAsync(string program, string[] args)
    {
        var info = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        try
        {
            using var process = Process.Start(info)!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            return (process.ExitCode, await stdout + await stderr);
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            return (127, $"{program}: {ex.Message} (scripts/test.sh installs docker-compose)");
        }
    }
}
