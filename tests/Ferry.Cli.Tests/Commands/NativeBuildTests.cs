using System.Text.Json;
using Ferry.Testing;

namespace Ferry.Cli.Tests.Commands;

/// <summary>
/// The native build (src/Ferry.Cli.Native): the published binary when FERRY_TEST_NATIVE_CLI names it (scripts/test.sh's
/// second run of these tests), else the same project compiled just in time. It has every command but the server's own, and
/// says in one line which build runs those.
/// </summary>
public sealed class NativeBuildTests(S3rverFixture s3rver) : IClassFixture<S3rverFixture>, IDisposable
{
    private readonly TempDirectory _home = new("cli-native");

    public void Dispose() => _home.Dispose();

    [Theory]
    [InlineData("serve", "--urls", "http://127.0.0.1:1")]
    [InlineData("worker")]
    [InlineData("db", "migrate")]
    public async Task ServerCommand_Exit2OneLineNamingTheFullBuild(params string[] args)
    {
        var result = await Native().RunAsync(args);

        Assert.True(result.ExitCode == 2, result.ToString());
        var lines = result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length == 1, result.ToString());
        Assert.Equal($"ferry: error: 'ferry {args[0]}' runs in the full build of ferry only (src/Ferry.Cli); this is the native build, which has every other command (docs/operations.md)", lines[0]);
        Assert.Equal("", result.Stdout);
    }

    [Theory]
    [InlineData("serve")]
    [InlineData("worker")]
    [InlineData("db")]
    public async Task ServerCommandHelp_SaysWhichBuildRunsIt(string command)
    {
        var result = await Native().RunAsync(command, "--help");

        Assert.True(result.ExitCode == 0, result.ToString());
        var help = OneLine(result.Stdout);
        Assert.Contains($"'ferry {command}' runs in the full build of ferry only (src/Ferry.Cli)", help);
    }

    [Fact]
    public async Task Help_ListsTheTransferCommandsAndSaysTheServerOnesAreNotInThisBuild()
    {
        var result = await Native().RunAsync("--help");

        Assert.True(result.ExitCode == 0, result.ToString());
        foreach (var command in new[] { "upload", "download", "verify", "check", "sessions", "doctor", "donate", "export", "jobs" })
        {
            Assert.Contains($"  {command} ", result.Stdout);
        }

        var help = OneLine(result.Stdout);
        foreach (var command in new[] { "serve", "worker", "db" })
        {
            Assert.Contains($"{command} 'ferry {command}' runs in the full build of ferry only", help);
        }
    }

    [Fact]
    public async Task UploadJsonRerunVerifyAndSessions_WorkAsInTheFullBuild()
    {
        var bucket = await s3rver.Server.CreateBucketAsync("native");
        var source = _home.Combine("field");
        for (var i = 0; i < 5; i++)
        {
            _home.Write($"field/SN{i % 2:D6}/{i:D4}.WAV", TestData.Bytes(700 + i, i));
        }

        var ferry = Native();
        var args = new[] { "upload", source, $"s3://{bucket}/C1", "--endpoint", s3rver.Server.Endpoint, "--json" };

        var first = await ferry.RunAsync(args);
        var rerun = await ferry.RunAsync(args);
        var verify = await ferry.RunAsync("verify", source, $"s3://{bucket}/C1", "--endpoint", s3rver.Server.Endpoint, "--json");
        var sessions = await ferry.RunAsync("sessions", "--format", "json");

        Assert.True(first.ExitCode == 0, first.ToString());
        Assert.Equal(5, Events(first).Count(e => e.GetProperty("type").GetString() == "file" && e.GetProperty("outcome").GetString() == "uploaded"));
        Assert.True(rerun.ExitCode == 0, rerun.ToString());
        Assert.Equal(5, Events(rerun)[^1].GetProperty("files_present").GetInt64());
        Assert.True(verify.ExitCode == 0, verify.ToString());
        Assert.Equal(5, Events(verify)[^1].GetProperty("identical").GetInt64());
        Assert.True(sessions.ExitCode == 0, sessions.ToString());
        Assert.Equal(2, JsonDocument.Parse(sessions.Stdout).RootElement.GetArrayLength());
        Assert.Equal(5, (await s3rver.Server.ListKeysAsync(bucket)).Count);
    }

    private FerryProcess Native() => new(_home.Path, nativeBuild: true);

    /// <summary>Help text as one line with single spaces, however it wraps.</summary>
    private static string OneLine(string text) => string.Join(' ', text.Split((char[])[' ', '\n'], StringSplitOptions.RemoveEmptyEntries));

    private static List<JsonElement> Events(FerryResult result) =>
        [.. result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => JsonDocument.Parse(line).RootElement)];
}
