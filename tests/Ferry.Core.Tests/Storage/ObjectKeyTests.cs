using Ferry.Core.Storage;

namespace Ferry.Core.Tests.Storage;

public sealed class ObjectKeyTests
{
    [Theory]
    [InlineData("", "a/b", "a/b")]
    [InlineData("C1/", "SN/x.WAV", "C1/SN/x.WAV")]
    [InlineData("C1", "x", "C1/x")]
    public void Join_PrefixAndPath_OneSeparator(string prefix, string path, string expected)
    {
        Assert.Equal(expected, ObjectKey.Join(prefix, path));
    }

    [Theory]
    [InlineData("")]
    [InlineData("/abs")]
    [InlineData("a//b")]
    [InlineData("a/../b")]
    [InlineData("./a")]
    [InlineData("a/")]
    [InlineData("tab\there")]
    public void FindProblem_InvalidKey_NamesIt(string key)
    {
        Assert.NotNull(ObjectKey.FindProblem(key));
    }

    [Theory]
    [InlineData("with space/percent%20+plus#hash.txt")]
    [InlineData("unicode-ü-雪/🦉")]
    [InlineData("a..b/..c")]
    public void FindProblem_UnusualButValidKey_ReturnsNull(string key)
    {
        Assert.Null(ObjectKey.FindProblem(key));
    }

    [Fact]
    public void FindProblem_OverlongKey_Rejected()
    {
        Assert.NotNull(ObjectKey.FindProblem(new string('é', 600)));
        Assert.Null(ObjectKey.FindProblem(new string('e', 1024)));
    }
}
