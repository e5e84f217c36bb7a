using System.Diagnostics;
using System.Text.Json;
using Ferry.Testing;

namespace Ferry.Cli.Tests.Commands;

/// <summary><c>ferry check</c> and <c>ferry upload --check</c> end to end: exit codes, the table, the problem lines, the JSON, sums.</summary>
public sealed class CheckCommandTests : IDisposable
{
    private static readonly DateTime Start = new(2026, 5, 1, 8, 0, 0);
    private readonly TempDirectory _home = new("check-cli");

    public void Dispose() => _home.Dispose();

    private FerryProcess Ferry() => new(_home.Combine("home"));

    [Fact]
    public async Task Check_CleanFolder_Exit0WithTableAndSummary()
    {
        var source = CleanCard("clean");

        var result = await Ferry().RunAsync("check", source, "--gap", "6h");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("CAM01", result.Stdout);
        Assert.Contains("2026-05-01 08:00:00", result.Stdout);
        Assert.Contains("gaps > 6h0m", result.Stdout);
        Assert.Contains("gap in CAM01: 2026-05-01 10:00:00 .. 2026-05-02 10:00:00 (1d0h)", result.Stdout);
        Assert.Contains("checked 5 files", result.Stdout);
        Assert.Contains("no problems", result.Stdout);
    }

    [Fact]
    public async Task Check_DamagedCard_Exit1AndOneLinePerProblem()
    {
        var source = CleanCard("damaged");
        var jpeg = FieldMedia.Jpeg(Start.AddHours(3), "SN1", seed: 5);
        _home.Write("damaged/CAM01/cut.JPG", FieldMedia.Cut(jpeg, jpeg.Length - 300));
        _home.Write("damaged/CAM01/other.JPG", FieldMedia.Jpeg(Start.AddHours(4), "SN7", seed: 6));
        _home.Write("damaged/CAM01/reset.JPG", FieldMedia.Jpeg(new DateTime(2000, 1, 1, 0, 0, 0), "SN1", seed: 7));
        _home.Write("damaged/AM01/empty.WAV", []);
        _home.Write("damaged/AM01/erased.WAV", new byte[200_000]);
        _home.Write("damaged/CAM01/MD5SUMS", System.Text.Encoding.UTF8.GetBytes($"{new string('a', 32)}  IMG_0001.JPG\n"));

        var result = await Ferry().RunAsync("check", source);

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Contains("CAM01/cut.JPG: truncated: ", result.Stdout);
        Assert.Contains("CAM01/other.JPG: serial_mismatch: serial SN7 differs from SN1", result.Stdout);
        Assert.Contains("CAM01/reset.JPG: clock_reset: ", result.Stdout);
        Assert.Contains("AM01/empty.WAV: empty: ", result.Stdout);
        Assert.Contains("AM01/erased.WAV: all_zero: ", result.Stdout);
        Assert.Contains("CAM01/IMG_0001.JPG: sum_mismatch: ", result.Stdout);
        Assert.Contains("6 problems", result.Stdout);
        Assert.Equal("", result.Stderr);
    }

    [Fact]
    public async Task Check_Json_OneObjectWithProblemsAndFolders()
    {
        var source = CleanCard("json");
        _home.Write("json/AM01/late.WAV", FieldMedia.Wav(comment: FieldMedia.AudioMothComment(new DateTime(2026, 7, 1, 10, 0, 0))));

        var result = await Ferry().RunAsync("check", source, "--json", "--window", "2026-05-01..2026-06-15", "--gap", "6h");

        Assert.True(result.ExitCode == 1, result.ToString());
        using var json = JsonDocument.Parse(result.Stdout);
        var root = json.RootElement;
        Assert.Equal(1, root.GetProperty("v").GetInt32());
        Assert.Equal(6, root.GetProperty("files").GetInt64());
        var problem = Assert.Single(root.GetProperty("problems").EnumerateArray());
        Assert.Equal("AM01/late.WAV", problem.GetProperty("path").GetString());
        Assert.Equal("outside_window", problem.GetProperty("kind").GetString());
        var folders = root.GetProperty("folders").EnumerateArray().ToDictionary(f => f.GetProperty("folder").GetString()!);
        Assert.Equal(4, folders["CAM01"].GetProperty("files").GetInt64());
        Assert.Equal("2026-05-01T08:00:00", folders["CAM01"].GetProperty("first_capture").GetString());
        Assert.Equal("SN1", folders["CAM01"].GetProperty("serial").GetString());
        Assert.Single(folders["CAM01"].GetProperty("gaps").EnumerateArray());
        Assert.Equal("2026-05-01T10:00:00", folders["AM01"].GetProperty("last_capture").GetString());
        Assert.Equal("24F3190361DA7A27", folders["AM01"].GetProperty("serial").GetString());
    }

    [Theory]
    [InlineData("--window", "2026-05-01")]
    [InlineData("--window", "2026-06-01..2026-05-01")]
    [InlineData("--gap", "soon")]
    [InlineData("--concurrency", "0")]
    public async Task Check_BadOption_Exit2OneLine(string option, string value)
    {
        var result = await Ferry().RunAsync("check", CleanCard("bad"), option, value);

        Assert.True(result.ExitCode == 2, result.ToString());
        var line = Assert.Single(result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("ferry: error: ", line);
        Assert.Equal("", result.Stdout);
    }

    [Fact]
    public async Task Check_MissingFolder_Exit2()
    {
        var result = await Ferry().RunAsync("check", _home.Combine("nowhere"));

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains("does not exist", result.Stderr);
    }

    [Fact]
    public async Task Check_WriteSums_Sha256sumVerifiesTheWrittenFile()
    {
        var source = CleanCard("sums");
        _home.Write("sums/CAM01/name with  two spaces.JPG", FieldMedia.Jpeg(Start.AddMinutes(5), "SN1", seed: 11));

        var written = await Ferry().RunAsync("check", source, "--write-sums");
        var again = await Ferry().RunAsync("check", source);

        Assert.True(written.ExitCode == 0, written.ToString());
        Assert.Contains("2 SHA256SUMS written", written.Stdout);
        Assert.True(again.ExitCode == 0, again.ToString());
        Assert.Contains("6 sidecar checksums matched", again.Stdout);
        foreach (var folder in new[] { "CAM01", "AM01" })
        {
            var (exit, output) = await RunAsync("sha256sum", _home.Combine("sums", folder), "-c", "SHA256SUMS");
            Assert.True(exit == 0, output);
        }
    }

    [Fact]
    public async Task Upload_CheckStrictWithProblems_Exit1AndNothingUploaded()
    {
        var source = CleanCard("strict");
        _home.Write("strict/AM01/empty.WAV", []);
        var destination = _home.Combine("dest-strict");

        var result = await Ferry().RunAsync("upload", source, destination, "--check", "strict");

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Contains("ferry: warning: check found 1 problems", result.Stderr);
        Assert.Contains("AM01/empty.WAV: empty", result.Stderr);
        Assert.Contains("upload refused (--check strict)", result.Stderr);
        Assert.False(Directory.Exists(destination) && Directory.EnumerateFiles(destination, "*", SearchOption.AllDirectories).Any());
    }

    [Fact]
    public async Task Upload_CheckWarnByDefault_WarnsAndUploads()
    {
        var source = CleanCard("warn");
        _home.Write("warn/AM01/empty.WAV", []);
        var destination = _home.Combine("dest-warn");

        var result = await Ferry().RunAsync("upload", source, destination);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("AM01/empty.WAV: empty", result.Stderr);
        Assert.True(File.Exists(Path.Combine(destination, "AM01", "empty.WAV")));
        Assert.Equal(6, Directory.EnumerateFiles(destination, "*", SearchOption.AllDirectories).Count());
    }

    [Fact]
    public async Task Upload_CheckWarnOnRerun_SkipsFilesTheJournalVerifiedAndChecksChangedOnes()
    {
        var source = CleanCard("rerun");
        _home.Write("rerun/AM01/empty.WAV", []);
        var destination = _home.Combine("dest-rerun");
        var first = await Ferry().RunAsync("upload", source, destination);
        Assert.True(first.ExitCode == 0, first.ToString());
        Assert.Contains("AM01/empty.WAV: empty", first.Stderr);

        var second = await Ferry().RunAsync("upload", source, destination);

        Assert.True(second.ExitCode == 0, second.ToString());
        Assert.DoesNotContain("check found", second.Stderr);

        // A file changed since it was verified is checked again.
        var jpeg = FieldMedia.Jpeg(Start.AddHours(3), "SN1", seed: 9);
        _home.Write("rerun/CAM01/IMG_0002.JPG", FieldMedia.Cut(jpeg, jpeg.Length - 300));
        var third = await Ferry().RunAsync("upload", source, destination);

        Assert.True(third.ExitCode == 0, third.ToString());
        Assert.Contains("ferry: warning: check found 1 problems", third.Stderr);
        Assert.Contains("CAM01/IMG_0002.JPG", third.Stderr);
    }

    [Fact]
    public async Task Upload_CheckWarnWithMoveAndSidecarSums_ChecksBeforeAnythingMovesAndFindsNothing()
    {
        // The check reads every file (and every file a SHA256SUMS lists) before the upload moves them away.
        var source = CleanCard("move");
        var written = await Ferry().RunAsync("check", source, "--write-sums");
        Assert.True(written.ExitCode == 0, written.ToString());
        _home.Write("move/AM02/empty.WAV", []);
        var destination = _home.Combine("dest-move");

        var result = await Ferry().RunAsync("upload", source, destination, "--move");

        Assert.True(result.ExitCode == 0, result.ToString());
        // The one real problem, and nothing about sums or files the upload had moved away.
        Assert.Contains("ferry: warning: check found 1 problems", result.Stderr);
        Assert.Contains("AM02/empty.WAV: empty", result.Stderr);
        Assert.Empty(Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories));
        Assert.True(File.Exists(Path.Combine(destination, "CAM01", "SHA256SUMS")));
    }

    [Fact]
    public async Task Upload_CheckStrictOnRerun_SkipsFilesTheJournalVerified()
    {
        // Uploaded with a problem under warn; strict on the rerun does not look at it again, so nothing is refused.
        var source = CleanCard("strict-rerun");
        _home.Write("strict-rerun/AM01/empty.WAV", []);
        var destination = _home.Combine("dest-strict-rerun");
        var first = await Ferry().RunAsync("upload", source, destination);
        Assert.Contains("AM01/empty.WAV: empty", first.Stderr);

        var second = await Ferry().RunAsync("upload", source, destination, "--check", "strict");

        Assert.True(second.ExitCode == 0, second.ToString());
        Assert.DoesNotContain("check found", second.Stderr);
    }

    [Fact]
    public async Task Upload_CheckOff_NoWarning()
    {
        var source = CleanCard("off");
        _home.Write("off/AM01/empty.WAV", []);

        var result = await Ferry().RunAsync("upload", source, _home.Combine("dest-off"), "--check", "off");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.DoesNotContain("check found", result.Stderr);
    }

    [Fact]
    public async Task Upload_UnknownCheckMode_Exit2()
    {
        var result = await Ferry().RunAsync("upload", CleanCard("mode"), _home.Combine("dest-mode"), "--check", "loud");

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains("loud", result.Stderr);
    }

    /// <summary>Three camera images a few hours apart and one a day later (SN1), and an AudioMoth recording.</summary>
    private string CleanCard(string name)
    {
        _home.Write($"{name}/CAM01/IMG_0001.JPG", FieldMedia.Jpeg(Start, "SN1", seed: 1));
        _home.Write($"{name}/CAM01/IMG_0002.JPG", FieldMedia.Jpeg(Start.AddHours(1), "SN1", seed: 2));
        _home.Write($"{name}/CAM01/IMG_0003.JPG", FieldMedia.Jpeg(Start.AddHours(2), "SN1", seed: 3));
        _home.Write($"{name}/CAM01/IMG_0004.JPG", FieldMedia.Jpeg(Start.AddDays(1).AddHours(2), "SN1", seed: 4));
        _home.Write($"{name}/AM01/20260501_100000.WAV", FieldMedia.Wav(comment: FieldMedia.AudioMothComment(new DateTime(2026, 5, 1, 10, 0, 0))));
        return _home.Combine(name);
    }

    private static async Task<(int Exit, string Output)> RunAsync(string program, string workingDirectory, params string[] args)
    {
        var info = new ProcessStartInfo(program) { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await stdout + await stderr);
    }
}
