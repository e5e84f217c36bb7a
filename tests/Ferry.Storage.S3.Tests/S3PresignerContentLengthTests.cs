using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Amazon.Runtime;

namespace Ferry.Storage.S3.Tests;

/// <summary>
/// Presigned PUTs are bound to the registered size: <c>content-length</c> is a signed header. s3rver does not check
/// signatures, so this is proven by recomputing the SigV4 query signature here, independently of
/// <see cref="SigV4Signer"/>, from AWS's published algorithm: the signature matches for the registered length and
/// differs for any other, so real S3 refuses a PUT of another length.
/// </summary>
public sealed class S3PresignerContentLengthTests
{
    private const string AccessKey = "AKIAIOSFODNN7EXAMPLE";
    private const string SecretKey = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
    private static readonly DateTimeOffset Now = new(2026, 11, 29, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Put_RegisteredSize_ContentLengthIsASignedHeader()
    {
        var sut = new S3Presigner(new BasicAWSCredentials(AccessKey, SecretKey), "eu-west-1", new Uri("http://127.0.0.1:4568"), "field-data");

        var signed = sut.Put("C1/a b.wav", 5_000_000, Now, TimeSpan.FromMinutes(30));

        Assert.Equal("content-length;host", Query(signed.Url)["X-Amz-SignedHeaders"]);
        Assert.Empty(signed.Headers); // clients send Content-Length themselves (browsers may not set it)
    }

    [Fact]
    public void Put_SignatureRecomputedIndependently_MatchesOnlyForTheRegisteredLength()
    {
        var sut = new S3Presigner(new BasicAWSCredentials(AccessKey, SecretKey), "eu-west-1", new Uri("http://127.0.0.1:4568"), "field-data");
        const long registered = 5_000_000;

        var url = new Uri(sut.Put("C1/a b.wav", registered, Now, TimeSpan.FromMinutes(30)).Url);
        var signature = Query(url.AbsoluteUri)["X-Amz-Signature"];

        Assert.Equal(Recompute(url, registered), signature);
        Assert.NotEqual(Recompute(url, registered + 1), signature);
        Assert.NotEqual(Recompute(url, registered - 1), signature);
        Assert.NotEqual(Recompute(url, 0), signature);
    }

    [Fact]
    public void Put_OtherSizes_OtherSignatures()
    {
        var sut = new S3Presigner(new BasicAWSCredentials(AccessKey, SecretKey), "us-east-1", null, "bucket");

        var one = Query(sut.Put("k", 100, Now, TimeSpan.FromMinutes(5)).Url)["X-Amz-Signature"];
        var other = Query(sut.Put("k", 101, Now, TimeSpan.FromMinutes(5)).Url)["X-Amz-Signature"];

        Assert.NotEqual(one, other);
    }

    [Fact]
    public void Post_RegisteredSize_PolicyAllowsExactlyThatLength()
    {
        var sut = new S3Presigner(new BasicAWSCredentials(AccessKey, SecretKey), "us-east-1", null, "bucket");

        var signed = sut.Post("k/a.wav", 4321, Now, TimeSpan.FromMinutes(5));

        var policy = Encoding.UTF8.GetString(Convert.FromBase64String(signed.Fields!.Single(f => f.Key == "policy").Value));
        Assert.Contains("[\"content-length-range\",4321,4321]", policy, StringComparison.Ordinal);
    }

    /// <summary>
    /// The SigV4 query signature of a PUT <paramref name="url"/> sent with Content-Length <paramref name="length"/>,
    /// as S3 computes it on receipt: canonical request (method, path, the query without X-Amz-Signature, the signed
    /// headers content-length and host, UNSIGNED-PAYLOAD), string to sign, HMAC chain from the secret key.
    /// </summary>
    private static string Recompute(Uri url, long length)
    {
        var query = url.Query.TrimStart('?').Split('&').Where(p => !p.StartsWith("X-Amz-Signature=", StringComparison.Ordinal)).Order(StringComparer.Ordinal);
        var parameters = Query(url.AbsoluteUri);
        var amzDate = parameters["X-Amz-Date"];
        var scope = $"{amzDate[..8]}/eu-west-1/s3/aws4_request";
        var canonical = string.Join('\n',
            "PUT",
            url.AbsolutePath,
            string.Join('&', query),
            $"content-length:{length.ToString(CultureInfo.InvariantCulture)}",
            $"host:{url.Authority}",
            "",
            "content-length;host",
            "UNSIGNED-PAYLOAD");
        var toSign = $"AWS4-HMAC-SHA256\n{amzDate}\n{scope}\n{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)))}";
        var key = Encoding.UTF8.GetBytes("AWS4" + SecretKey);
        foreach (var part in new[] { amzDate[..8], "eu-west-1", "s3", "aws4_request" })
        {
            key = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(part));
        }

        return Convert.ToHexStringLower(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(toSign)));
    }

    private static Dictionary<string, string> Query(string url) =>
        new Uri(url).Query.TrimStart('?').Split('&').Select(p => p.Split('=', 2)).ToDictionary(p => p[0], p => Uri.UnescapeDataString(p[1]), StringComparer.Ordinal);
}
