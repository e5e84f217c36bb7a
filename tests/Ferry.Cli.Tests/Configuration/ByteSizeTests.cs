using Ferry.Cli.Configuration;

namespace Ferry.Cli.Tests.Configuration;

public sealed class ByteSizeTests
{
    [Theory]
    [InlineData("5242880", 5242880)]
    [InlineData("8MiB", 8L << 20)]
    [InlineData("8M", 8L << 20)]
    [InlineData("8mb", 8L << 20)]
    [InlineData("1G", 1L << 30)]
    [InlineData("1.5K", 1536)]
    public void Parse_Sizes_BinaryUnits(string text, long expected)
    {
        Assert.Equal(expected, ByteSize.Parse(text, "--part-size"));
    }

    [Fact]
    public void Parse_NotASize_UsageErrorNamingTheOption()
    {
        var error = Assert.Throws<CliException>(() => ByteSize.Parse("big", "--part-size"));

        Assert.Equal(2, error.ExitCode);
        Assert.Contains("--part-size", error.Message);
    }
}
