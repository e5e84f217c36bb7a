using System.Text;

namespace Ferry.Storage.S3.Tests;

public sealed class S3ListingParserTests
{
    [Fact]
    public async Task ParseAsync_UrlEncodedAnswer_DecodesKeysAndReturnsNextToken()
    {
        // The shape S3 sends for list-type=2&encoding-type=url: keys form-encoded ('+' is a space, %2B a plus).
        const string xml = """
            <?xml version="1.0" encoding="UTF-8"?>
            <ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
              <Name>bucket</Name><Prefix>C1%2F</Prefix><KeyCount>2</KeyCount><MaxKeys>2</MaxKeys>
              <EncodingType>url</EncodingType><IsTruncated>true</IsTruncated>
              <Contents><Key>C1%2Fwith+space%2Bplus%25.wav</Key><LastModified>2026-11-30T10:00:00.000Z</LastModified>
                <ETag>&quot;9e107d9d372bb6826bd81d3542a419d6&quot;</ETag><Size>1048576</Size><StorageClass>STANDARD</StorageClass></Contents>
              <Contents><Key>C1%2F%E9%9B%AA.txt</Key><LastModified>2026-11-30T10:00:01.000Z</LastModified>
                <ETag>&quot;abc-2&quot;</ETag><Size>0</Size><Owner><ID>x</ID></Owner></Contents>
              <NextContinuationToken>1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=</NextContinuationToken>
            </ListBucketResult>
            """;

        var (objects, next) = await S3ListingParser.ParseAsync(new MemoryStream(Encoding.UTF8.GetBytes(xml)), CancellationToken.None);

        Assert.Equal(["C1/with space+plus%.wav", "C1/雪.txt"], objects.Select(o => o.Key));
        Assert.Equal([1048576L, 0L], objects.Select(o => o.Size));
        Assert.Equal(["9e107d9d372bb6826bd81d3542a419d6", "abc-2"], objects.Select(o => o.ETag));
        Assert.Equal(new DateTimeOffset(2026, 11, 30, 10, 0, 1, TimeSpan.Zero), objects[1].LastModified);
        Assert.Equal("1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=", next);
    }

    [Fact]
    public async Task ParseAsync_PlainLastPage_KeepsKeysAsSentAndHasNoNextToken()
    {
        // A store that ignores encoding-type (s3rver) sends keys plain and no EncodingType: '+' and '%' stay.
        const string xml = """
            <ListBucketResult><IsTruncated>false</IsTruncated>
              <Contents><Key>a+b%20c.txt</Key><LastModified>2026-11-30T10:00:00Z</LastModified><ETag>"e"</ETag><Size>5</Size></Contents>
            </ListBucketResult>
            """;

        var (objects, next) = await S3ListingParser.ParseAsync(new MemoryStream(Encoding.UTF8.GetBytes(xml)), CancellationToken.None);

        Assert.Equal("a+b%20c.txt", Assert.Single(objects).Key);
        Assert.Equal("e", objects[0].ETag);
        Assert.Null(next);
    }
}
