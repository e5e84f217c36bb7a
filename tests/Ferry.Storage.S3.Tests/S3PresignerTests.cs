using Amazon.Runtime;

namespace Ferry.Storage.S3.Tests;

public sealed class S3PresignerTests
{
    private static readonly DateTimeOffset May24 = new(2013, 5, 24, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void PresignedQuery_AwsDocumentationExample_MatchesPublishedSignature()
    {
        // "Authenticating Requests: Using Query Parameters (AWS Signature Version 4)", the GET example.
        var sut = new SigV4Signer("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY");

        var query = sut.PresignedQuery("GET", "/test.txt", "examplebucket.s3.amazonaws.com", new Dictionary<string, string>(), null, May24, TimeSpan.FromSeconds(86400), "us-east-1", "s3");

        Assert.Equal("X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host"
            + "&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404", query);
    }

    [Fact]
    public void Put_CustomEndpoint_PathStyleWithEncodedKeyAndExpiry()
    {
        var sut = new S3Presigner(new BasicAWSCredentials("AKID", "SECRET"), "eu-west-1", new Uri("http://127.0.0.1:4568"), "field-data");

        var signed = sut.Put("C2/950349/a b+c#ü.WAV", 10, May24, TimeSpan.FromHours(1));

        Assert.Equal("PUT", signed.Method);
        Assert.StartsWith("http://127.0.0.1:4568/field-data/C2/950349/a%20b%2Bc%23%C3%BC.WAV?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKID%2F20130524%2Feu-west-1%2Fs3%2Faws4_request&", signed.Url, StringComparison.Ordinal);
        Assert.Contains("&X-Amz-Expires=3600&", signed.Url, StringComparison.Ordinal);
        Assert.Equal(May24.AddHours(1), signed.ExpiresAt);
        Assert.Empty(signed.Headers);
    }

    [Fact]
    public void UploadPart_AwsWithSessionToken_VirtualHostedWithPartQueryAndToken()
    {
        var sut = new S3Presigner(new SessionAWSCredentials("ASIA", "SECRET", "token/with+chars"), "us-west-2", null, "bucket");

        var signed = sut.UploadPart("k/x.bin", "upload/id+1", 7, May24, TimeSpan.FromMinutes(10));

        Assert.StartsWith("https://bucket.s3.us-west-2.amazonaws.com/k/x.bin?", signed.Url, StringComparison.Ordinal);
        Assert.Contains("partNumber=7&uploadId=upload%2Fid%2B1", signed.Url, StringComparison.Ordinal);
        Assert.Contains("X-Amz-Security-Token=token%2Fwith%2Bchars", signed.Url, StringComparison.Ordinal);
    }

    [Fact]
    public void Put_BucketWithDots_PathStyleOnAws()
    {
        var sut = new S3Presigner(new BasicAWSCredentials("AKID", "SECRET"), "us-east-1", null, "my.bucket");

        Assert.StartsWith("https://s3.us-east-1.amazonaws.com/my.bucket/key?", sut.Put("key", 10, May24, TimeSpan.FromMinutes(1)).Url, StringComparison.Ordinal);
    }

    [Fact]
    public void Put_LifetimeOverSevenDays_Throws()
    {
        var sut = new S3Presigner(new BasicAWSCredentials("AKID", "SECRET"), "us-east-1", null, "bucket");

        Assert.Throws<ArgumentOutOfRangeException>(() => sut.Put("key", 10, May24, TimeSpan.FromDays(8)));
    }

    [Fact]
    public void Post_CustomEndpoint_SignedPolicyForExactlyOneKeyAndLength()
    {
        var sut = new S3Presigner(new BasicAWSCredentials("AKID", "SECRET"), "eu-west-1", new Uri("http://127.0.0.1:4568"), "field-data");

        var signed = sut.Post("C2/950349/a b.WAV", 4096, May24, TimeSpan.FromHours(1));

        Assert.Equal("POST", signed.Method);
        Assert.Equal("http://127.0.0.1:4568/field-data", signed.Url);
        var fields = signed.Fields!.ToDictionary(f => f.Key, f => f.Value);
        Assert.Equal("key", signed.Fields![0].Key);
        Assert.Equal("C2/950349/a b.WAV", fields["key"]);
        Assert.Equal("AKID/20130524/eu-west-1/s3/aws4_request", fields["x-amz-credential"]);
        var policy = System.Text.Json.Nodes.JsonNode.Parse(Convert.FromBase64String(fields["policy"]))!;
        Assert.Equal("2013-05-24T01:00:00Z", policy["expiration"]!.GetValue<string>());
        var conditions = policy["conditions"]!.ToJsonString();
        Assert.Contains("{\"key\":\"C2/950349/a b.WAV\"}", conditions, StringComparison.Ordinal);
        Assert.Contains("[\"content-length-range\",4096,4096]", conditions, StringComparison.Ordinal);
        Assert.Contains("{\"bucket\":\"field-data\"}", conditions, StringComparison.Ordinal);
        var signer = new SigV4Signer("AKID", "SECRET");
        Assert.Equal(signer.SignPolicy(fields["policy"], May24, "eu-west-1", "s3"), fields["x-amz-signature"]);
        Assert.Equal(64, fields["x-amz-signature"].Length);
    }
}
