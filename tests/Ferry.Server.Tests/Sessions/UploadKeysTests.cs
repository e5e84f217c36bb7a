using Ferry.Server.Sessions;

namespace Ferry.Server.Tests.Sessions;

public sealed class UploadKeysTests
{
    [Theory]
    [InlineData("950349/20250909_092000.WAV", "950349/20250909_092000.WAV")]
    [InlineData("950349\\sub\\x.jpg", "950349\\sub\\x.jpg")] // a Linux name with backslashes stays one name, byte for byte
    [InlineData("a\\b.wav", "a\\b.wav")]
    [InlineData("\\\\server\\share", "\\\\server\\share")]
    [InlineData("a b%c+d#e.txt", "a b%c+d#e.txt")]
    public void NormalizePath_SafePath_KeptAsSent(string path, string expected)
    {
        Assert.Equal((expected, null), UploadKeys.NormalizePath(path));
    }

    [Fact]
    public void NormalizePath_DecomposedUnicode_KeepsItsCharacters()
    {
        var decomposed = "Mu\u0308nchen/cafe\u0301.wav";

        var (path, _) = UploadKeys.NormalizePath(decomposed);

        Assert.Equal(decomposed, path);
    }

    [Theory]
    [InlineData("../x")]
    [InlineData("a/..")]
    [InlineData("/x")]
    [InlineData("D:/data")]
    [InlineData("a//b")]
    [InlineData("a/")]
    [InlineData("./a")]
    [InlineData("tab\there")]
    [InlineData("")]
    [InlineData("..\\..\\Users\\x\\AppData\\a.bat")] // a Windows download of the cycle would climb out of its folder
    [InlineData("a\\..\\b")]
    [InlineData("a\\.\\b")]
    public void NormalizePath_UnsafePath_IsRefused(string path)
    {
        var (normalized, problem) = UploadKeys.NormalizePath(path);

        Assert.Null(normalized);
        Assert.NotNull(problem);
    }

    [Fact]
    public void Build_KeyOver1024Bytes_IsRefused()
    {
        var (key, problem) = UploadKeys.Build("C1/", new string('\u00e9', 600));

        Assert.Null(key);
        Assert.Contains("1024", problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("C2", "C2/")]
    [InlineData("/C2/", "C2/")]
    [InlineData("project/C2", "project/C2/")]
    [InlineData("", "")]
    [InlineData(null, "")]
    public void NormalizePrefix_Variants_EndInOneSlash(string? prefix, string expected)
    {
        Assert.Equal((expected, null), UploadKeys.NormalizePrefix(prefix));
    }

    [Fact]
    public void NormalizePrefix_DotDot_IsRefused()
    {
        Assert.Null(UploadKeys.NormalizePrefix("C1/../C2").Prefix);
    }
}
