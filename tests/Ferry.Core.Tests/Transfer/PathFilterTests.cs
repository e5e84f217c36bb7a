using Ferry.Core.Transfer;

namespace Ferry.Core.Tests.Transfer;

public sealed class PathFilterTests
{
    [Theory]
    [InlineData("*.WAV", "C1/SN1/a.WAV", true)]
    [InlineData("*.WAV", "C1/SN1/a.JPG", false)]
    [InlineData("SN1/*", "SN1/a.WAV", true)]
    [InlineData("SN1/*", "SN1/x/a.WAV", false)]
    [InlineData("SN1/**", "SN1/x/a.WAV", true)]
    [InlineData("**/x/*.WAV", "SN1/x/a.WAV", true)]
    [InlineData("**/x/*.WAV", "x/a.WAV", true)]
    [InlineData("a?.txt", "a1.txt", true)]
    [InlineData("a?.txt", "a/.txt", false)]
    [InlineData("[ab].txt", "b.txt", true)]
    [InlineData("[!ab].txt", "b.txt", false)]
    [InlineData("*.jsonl.gz", "trajectories/run+1.jsonl.gz", true)]
    [InlineData("tmp/", "tmp/a/b", true)]
    public void Matches_IncludeGlob_AsDocumented(string glob, string path, bool expected)
    {
        var sut = new PathFilter([glob], []);

        Assert.Equal(expected, sut.Matches(path));
    }

    [Fact]
    public void Matches_ExcludeWins_OverInclude()
    {
        var sut = new PathFilter(["*.WAV"], ["SN2/**"]);

        Assert.True(sut.Matches("SN1/a.WAV"));
        Assert.False(sut.Matches("SN2/a.WAV"));
        Assert.False(sut.Matches("SN1/a.JPG"));
    }

    [Fact]
    public void Constructor_UnclosedSet_ThrowsFormatException()
    {
        Assert.Throws<FormatException>(() => new PathFilter(["[abc"], []));
    }
}
