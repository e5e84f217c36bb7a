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
}
