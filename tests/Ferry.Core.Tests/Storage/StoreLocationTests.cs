using Ferry.Core.Storage;

namespace Ferry.Core.Tests.Storage;

public sealed class StoreLocationTests
{
    [Theory]
    [InlineData("s3://bucket", "bucket", "")]
    [InlineData("s3://bucket/", "bucket", "")]
    [InlineData("s3://bucket/C1", "bucket", "C1/")]
    [InlineData("s3://my.bucket-1/C1/SN2/", "my.bucket-1", "C1/SN2/")]
    public void Parse_S3Url_BucketAndPrefix(string text, string bucket, string prefix)
    {
        var sut = StoreLocation.Parse(text);

        Assert.Equal(StoreScheme.S3, sut.Scheme);
        Assert.Equal(bucket, sut.Container);
        Assert.Equal(prefix, sut.Prefix);
    }

    [Theory]
    [InlineData("/data/backup")]
    [InlineData("file:///data/backup")]
    public void Parse_LocalPath_AbsoluteDirectory(string text)
    {
        var sut = StoreLocation.Parse(text);

        Assert.Equal(StoreScheme.Local, sut.Scheme);
        Assert.Equal("/data/backup", sut.Container);
    }

    [Theory]
    [InlineData("")]
    [InlineData("s3://")]
    [InlineData("s3://x")]
    [InlineData("s3://has space/x")]
    [InlineData("s3://bucket/a/../b")]
    [InlineData("gs://bucket/x")]
    [InlineData("file://relative/path")]
    public void Parse_Invalid_ThrowsFormatExceptionWithFix(string text)
    {
        var error = Assert.Throws<FormatException>(() => StoreLocation.Parse(text));

        Assert.False(string.IsNullOrWhiteSpace(error.Message));
    }

    [Theory]
    [InlineData("s4:/b", "s3://b")]
    [InlineData("S3://b", "s3://b")]
    [InlineData("s3:/b", "s3://b")]
    [InlineData("s3:b", "s3://b")]
    [InlineData("s3:///b/C1", "s3://b/C1")]
    [InlineData("fil:/data", "file:///data")]
    [InlineData("FILE:///data", "file:///data")]
    public void Parse_MistypedScheme_ThrowsDidYouMean(string text, string suggestion)
    {
        var error = Assert.Throws<FormatException>(() => StoreLocation.Parse(text));

        Assert.EndsWith($"did you mean {suggestion}", error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Theory]
    [InlineData("data:2026")]
    [InlineData("https://example.org/b")]
    public void Parse_UnknownSchemeLikePrefix_RefusedNotTakenForAFolder(string text)
    {
        var error = Assert.Throws<FormatException>(() => StoreLocation.Parse(text));

        Assert.Contains("scheme Ferry does not know", error.Message);
    }

    [Theory]
    [InlineData("relative/folder")]
    [InlineData("./s3:b")]
    [InlineData("C:/not-a-scheme")]
    public void Parse_PathWithoutSchemePrefix_LocalDirectory(string text)
    {
        var sut = StoreLocation.Parse(text);

        Assert.Equal(StoreScheme.Local, sut.Scheme);
        Assert.Equal(Path.GetFullPath(text), sut.Container);
    }
}
