using Ferry.Core.Hashing;

namespace Ferry.Core.Tests.Hashing;

public sealed class ContentHashesTests
{
    [Fact]
    public void MultipartETag_TwoParts_MatchesS3Definition()
    {
        // S3: MD5 of the concatenated binary part MD5s, then "-" and the part count.
        var part1 = ContentHashes.Md5Hex("hello"u8);
        var part2 = ContentHashes.Md5Hex("world"u8);
        var expected = ContentHashes.Md5Hex([.. Convert.FromHexString(part1), .. Convert.FromHexString(part2)]) + "-2";

        Assert.Equal(expected, ContentHashes.MultipartETag([part1, part2]));
    }

    [Fact]
    public async Task HashFileAsync_KnownContent_KnownDigests()
    {
        var path = Path.GetTempFileName();
        await File.WriteAllTextAsync(path, "abc");
        try
        {
            var (sha256, md5) = await ContentHashes.HashFileAsync(path, CancellationToken.None);

            Assert.Equal("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", sha256);
            Assert.Equal("900150983cd24fb0d6963f7d28e17f72", md5);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
