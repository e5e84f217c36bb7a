using Ferry.Core.Checks;
using Ferry.Testing;

namespace Ferry.Core.Tests.Checks;

public sealed class CheckRunnerTests : IDisposable
{
    private static readonly TimeProvider Clock = new FixedClock(new DateTimeOffset(2026, 6, 20, 12, 0, 0, TimeSpan.Zero));
    private readonly TempDirectory _dir = new("check");

    public void Dispose() => _dir.Dispose();

    private Task<CheckReport> RunAsync(CheckOptions? options = null) =>
        new CheckRunner(Clock).RunAsync(_dir.Path, options ?? new CheckOptions(), CancellationToken.None);

    [Fact]
    public async Task RunAsync_CleanCameraFolder_NoFindingsAndCountsCapturesAndGaps()
    {
        var start = new DateTime(2026, 5, 1, 8, 0, 0);
        _dir.Write("site1/CAM01/IMG_0001.JPG", FieldMedia.Jpeg(start, "SN1", seed: 1));
        _dir.Write("site1/CAM01/IMG_0002.JPG", FieldMedia.Jpeg(start.AddHours(2), "SN1", seed: 2));
        _dir.Write("site1/CAM01/IMG_0003.JPG", FieldMedia.Jpeg(start.AddDays(3), "SN1", seed: 3));

        var report = await RunAsync();

        Assert.True(report.IsClean, string.Join("\n", report.Findings));
        var folder = Assert.Single(report.Folders);
        Assert.Equal("site1/CAM01", folder.Folder);
        Assert.Equal(3, folder.Files);
        Assert.Equal(start, folder.FirstCapture);
        Assert.Equal(start.AddDays(3), folder.LastCapture);
        var gap = Assert.Single(folder.Gaps);
        Assert.Equal(start.AddHours(2), gap.From);
        Assert.Equal("SN1", folder.MajoritySerial);
    }

    [Fact]
    public async Task RunAsync_OneFileWithAnotherSerial_SerialMismatchOnThatFileOnly()
    {
        var t = new DateTime(2026, 5, 1, 8, 0, 0);
        _dir.Write("CAM01/a.jpg", FieldMedia.Jpeg(t, "SN1", seed: 1));
        _dir.Write("CAM01/b.jpg", FieldMedia.Jpeg(t.AddMinutes(1), "SN1", seed: 2));
        _dir.Write("CAM01/c.jpg", FieldMedia.Jpeg(t.AddMinutes(2), "SN1", seed: 3));
        _dir.Write("CAM01/stray.jpg", FieldMedia.Jpeg(t.AddMinutes(3), "SN9", seed: 4));

        var report = await RunAsync();

        var finding = Assert.Single(report.Findings);
        Assert.Equal("CAM01/stray.jpg", finding.Path);
        Assert.Equal(CheckProblem.SerialMismatch, finding.Problem);
        Assert.Contains("SN1", finding.Message);
    }

    [Fact]
    public async Task RunAsync_ClockResetFile_FlaggedAndLeftOutOfFirstCapture()
    {
        var t = new DateTime(2026, 5, 1, 8, 0, 0);
        _dir.Write("CAM02/a.jpg", FieldMedia.Jpeg(t, seed: 1));
        _dir.Write("CAM02/reset.jpg", FieldMedia.Jpeg(new DateTime(2000, 1, 1, 0, 5, 0), seed: 2));

        var report = await RunAsync();

        var finding = Assert.Single(report.Findings);
        Assert.Equal((CheckProblem.ClockReset, "CAM02/reset.jpg"), (finding.Problem, finding.Path));
        Assert.Equal(t, report.Folders.Single().FirstCapture);
    }

    [Fact]
    public async Task RunAsync_MixedDamage_EachFileItsProblem()
    {
        var wav = FieldMedia.Wav(audioBytes: 9000, comment: FieldMedia.AudioMothComment(new DateTime(2026, 5, 1, 10, 0, 0)));
        _dir.Write("AM01/ok.WAV", wav);
        _dir.Write("AM01/cut.WAV", FieldMedia.Cut(wav, wav.Length - 1000));
        _dir.Write("AM01/empty.WAV", []);
        _dir.Write("AM01/zero.WAV", new byte[50_000]);
        _dir.Write("AM01/late.WAV", FieldMedia.Wav(comment: FieldMedia.AudioMothComment(new DateTime(2026, 7, 1, 10, 0, 0))));
        var mp4 = FieldMedia.Mp4(new DateTime(2026, 5, 2, 0, 0, 0));
        _dir.Write("VID/cut.MP4", FieldMedia.Cut(mp4, mp4.Length - 100));

        var report = await RunAsync(new CheckOptions { Window = CaptureWindow.Parse("2026-05-01..2026-06-15") });

        var byPath = report.Findings.ToDictionary(f => f.Path, f => f.Problem);
        Assert.Equal(CheckProblem.Truncated, byPath["AM01/cut.WAV"]);
        Assert.Equal(CheckProblem.Empty, byPath["AM01/empty.WAV"]);
        Assert.Equal(CheckProblem.AllZero, byPath["AM01/zero.WAV"]);
        Assert.Equal(CheckProblem.FutureTime, byPath["AM01/late.WAV"]);
        Assert.Equal(CheckProblem.Truncated, byPath["VID/cut.MP4"]);
        Assert.False(byPath.ContainsKey("AM01/ok.WAV"));
        Assert.Equal(5, report.Findings.Count);
        Assert.Equal(6, report.Files);
    }

    [Fact]
    public async Task RunAsync_CaptureBeforeWindow_OutsideWindow()
    {
        _dir.Write("CAM/a.jpg", FieldMedia.Jpeg(new DateTime(2026, 4, 20, 9, 0, 0)));

        var report = await RunAsync(new CheckOptions { Window = CaptureWindow.Parse("2026-05-01..2026-06-15") });

        Assert.Equal(CheckProblem.OutsideWindow, Assert.Single(report.Findings).Problem);
    }

    [Fact]
    public async Task RunAsync_SidecarWithWrongDigest_SumMismatchAndOthersVerified()
    {
        var a = FieldMedia.Jpeg(new DateTime(2026, 5, 1, 8, 0, 0), seed: 1);
        var b = FieldMedia.Jpeg(new DateTime(2026, 5, 1, 9, 0, 0), seed: 2);
        _dir.Write("CAM/a.jpg", a);
        _dir.Write("CAM/b.jpg", b);
        var md5A = Convert.ToHexStringLower(System.Security.Cryptography.MD5.HashData(a));
        _dir.Write("CAM/MD5SUMS", System.Text.Encoding.UTF8.GetBytes($"{md5A}  a.jpg\n{new string('0', 32)}  b.jpg\n"));

        var report = await RunAsync();

        var finding = Assert.Single(report.Findings);
        Assert.Equal((CheckProblem.SumMismatch, "CAM/b.jpg"), (finding.Problem, finding.Path));
        Assert.Equal(1, report.SumsVerified);
    }

    [Fact]
    public async Task RunAsync_WriteSums_WritesPerFolderAndNextRunVerifiesThem()
    {
        _dir.Write("CAM/a.jpg", FieldMedia.Jpeg(new DateTime(2026, 5, 1, 8, 0, 0), seed: 1));
        _dir.Write("CAM/deep/b.jpg", FieldMedia.Jpeg(new DateTime(2026, 5, 1, 9, 0, 0), seed: 2));

        var first = await RunAsync(new CheckOptions { WriteSums = true });
        var second = await RunAsync();
        File.WriteAllBytes(_dir.Combine("CAM", "a.jpg"), FieldMedia.Jpeg(new DateTime(2026, 5, 1, 8, 0, 0), seed: 9));
        var third = await RunAsync();

        Assert.Equal(2, first.SumsWritten);
        Assert.StartsWith(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(_dir.Combine("CAM", "deep", "b.jpg")))) + "  b.jpg",
            File.ReadAllText(_dir.Combine("CAM", "deep", "SHA256SUMS")));
        Assert.True(second.IsClean, string.Join("\n", second.Findings));
        Assert.Equal(2, second.SumsVerified);
        Assert.Equal((CheckProblem.SumMismatch, "CAM/a.jpg"), (Assert.Single(third.Findings).Problem, third.Findings[0].Path));
    }

    [Fact]
    public async Task RunAsync_WriteSumsWhereOneExists_KeepsTheExistingFile()
    {
        _dir.Write("CAM/a.jpg", FieldMedia.Jpeg(new DateTime(2026, 5, 1, 8, 0, 0)));
        var existing = $"{new string('1', 64)}  other.jpg\n";
        _dir.Write("CAM/SHA256SUMS", System.Text.Encoding.UTF8.GetBytes(existing));

        var report = await RunAsync(new CheckOptions { WriteSums = true });

        Assert.Equal(0, report.SumsWritten);
        Assert.Equal(existing, File.ReadAllText(_dir.Combine("CAM", "SHA256SUMS")));
        Assert.Equal(CheckProblem.SumMissingFile, Assert.Single(report.Findings).Problem);
    }

    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
