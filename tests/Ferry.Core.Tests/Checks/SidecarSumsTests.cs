using System.Security.Cryptography;
using Ferry.Core.Checks;
using Ferry.Testing;

namespace Ferry.Core.Tests.Checks;

public sealed class SidecarSumsTests : IDisposable
{
    private readonly TempDirectory _dir = new("sums");

    public void Dispose() => _dir.Dispose();

    private static string Md5(byte[] content) => Convert.ToHexStringLower(MD5.HashData(content));

    private static string Sha256(byte[] content) => Convert.ToHexStringLower(SHA256.HashData(content));

    [Fact]
    public async Task VerifyAsync_Md5SumsWithBinaryMarkerAndTextMode_AllMatch()
    {
        var a = TestData.Bytes(1000, 1);
        var b = TestData.Bytes(2000, 2);
        _dir.Write("cam/a.jpg", a);
        _dir.Write("cam/sub/b.jpg", b);
        var sums = _dir.Write("cam/MD5SUMS", System.Text.Encoding.UTF8.GetBytes($"{Md5(a)} *a.jpg\n{Md5(b).ToUpperInvariant()}  sub/b.jpg\n"));

        var (findings, verified) = await SidecarSums.VerifyAsync(sums, "cam/MD5SUMS", CancellationToken.None);

        Assert.Empty(findings);
        Assert.Equal(2, verified);
    }

    [Fact]
    public async Task VerifyAsync_WrongDigestMissingFileAndBadLine_OneFindingEach()
    {
        var a = TestData.Bytes(1000, 1);
        _dir.Write("cam/a.jpg", a);
        var sums = _dir.Write("cam/SHA256SUMS", System.Text.Encoding.UTF8.GetBytes(
            $"{Sha256([1, 2, 3])}  a.jpg\n{Sha256(a)}  gone.jpg\nnot a checksum line\n{Sha256(a)}  ../outside.jpg\n"));

        var (findings, verified) = await SidecarSums.VerifyAsync(sums, "cam/SHA256SUMS", CancellationToken.None);

        Assert.Equal(0, verified);
        Assert.Contains(findings, f => f is { Path: "cam/a.jpg", Problem: CheckProblem.SumMismatch });
        Assert.Contains(findings, f => f is { Path: "cam/gone.jpg", Problem: CheckProblem.SumMissingFile });
        Assert.Contains(findings, f => f.Problem == CheckProblem.SumUnreadable && f.Message.Contains("line 3", StringComparison.Ordinal));
        Assert.Contains(findings, f => f.Problem == CheckProblem.SumUnreadable && f.Message.Contains("outside", StringComparison.Ordinal));
        Assert.Equal(4, findings.Count);
    }

    [Fact]
    public async Task VerifyAsync_BareDigestInFileMd5_AppliesToThatFile()
    {
        var a = TestData.Bytes(500, 3);
        _dir.Write("x.wav", a);
        var sums = _dir.Write("x.wav.md5", System.Text.Encoding.UTF8.GetBytes(Md5(a) + "\n"));

        var (findings, verified) = await SidecarSums.VerifyAsync(sums, "x.wav.md5", CancellationToken.None);

        Assert.Empty(findings);
        Assert.Equal(1, verified);
    }

    [Fact]
    public async Task WriteAsync_NameWithBackslashAndNewline_EscapedAndVerifiable()
    {
        var content = TestData.Bytes(300, 4);
        var name = "odd\\name\nhere.jpg";
        _dir.Write("f/" + name, content);

        await SidecarSums.WriteAsync(_dir.Combine("f"), [(name, Sha256(content))], CancellationToken.None);
        var text = await File.ReadAllTextAsync(_dir.Combine("f", "SHA256SUMS"));
        var (findings, verified) = await SidecarSums.VerifyAsync(_dir.Combine("f", "SHA256SUMS"), "f/SHA256SUMS", CancellationToken.None);

        Assert.Equal($"\\{Sha256(content)}  odd\\\\name\\nhere.jpg\n", text);
        Assert.Empty(findings);
        Assert.Equal(1, verified);
    }

    [Theory]
    [InlineData("MD5SUMS", "MD5")]
    [InlineData("clip.mp4.md5", "MD5")]
    [InlineData("SHA256SUMS", "SHA256")]
    [InlineData("card.sha256", "SHA256")]
    [InlineData("IMG_0001.JPG", null)]
    public void AlgorithmOf_Name_Algorithm(string name, string? algorithm)
    {
        Assert.Equal(algorithm, SidecarSums.AlgorithmOf(name)?.Name);
    }
}
