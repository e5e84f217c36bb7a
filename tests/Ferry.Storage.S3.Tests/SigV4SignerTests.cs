using Ferry.Core.Hashing;
using Ferry.Core.Storage;
using Ferry.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;

namespace Ferry.Storage.S3.Tests;

public sealed class SigV4SignerTests
{
    [Fact]
    public void Authorization_AwsTestSuiteGetVanilla_MatchesPublishedSignature()
    {
        // AWS SigV4 test suite, "get-vanilla".
        var sut = new SigV4Signer("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");
        var headers = new Dictionary<string, string> { ["host"] = "example.amazonaws.com", ["x-amz-date"] = "20150830T123600Z" };

        var authorization = sut.Authorization("GET", "/", "", headers, ContentHashes.Sha256Hex([]), new DateTimeOffset(2015, 8, 30, 12, 36, 0, TimeSpan.Zero), "us-east-1", "service");

        Assert.Equal("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31", authorization);
    }

    [Theory]
    [InlineData("plain.txt", "plain.txt")]
    [InlineData("with space+plus%#?.txt", "with%20space%2Bplus%25%23%3F.txt")]
    [InlineData("ü~_-.", "%C3%BC~_-.")]
    public void EncodeSegment_S3Rules_OnlyUnreservedKept(string segment, string expected)
    {
        Assert.Equal(expected, SigV4Signer.EncodeSegment(segment));
    }

    [Theory]
    [InlineData("C1/SN1/a.WAV")]
    [InlineData("odd/with space+plus%hash#ü雪.txt")]
    public async Task Authorization_SameRequestAsTheSdk_SameSignature(string key)
    {
        // The SDK signs a PutObject; Ferry's signer, given the same time and headers, must agree.
        var captured = new TaskCompletionSource<(string Target, Dictionary<string, string> Headers)>();
        var port = FreePort.Next();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        builder.Logging.ClearProviders();
        await using var app = builder.Build();
        app.Run(async context =>
        {
            if (context.Request.Method == "PUT")
            {
                var target = context.Features.Get<IHttpRequestFeature>()!.RawTarget;
                captured.TrySetResult((target, context.Request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString())));
            }

            await context.Request.Body.CopyToAsync(Stream.Null);
            context.Response.Headers.ETag = "\"00000000000000000000000000000000\"";
        });
        await app.StartAsync();
        using var store = S3StoreFactory.Create(new S3ConnectionOptions
        {
            Endpoint = new Uri($"http://127.0.0.1:{port}"),
            Region = "eu-west-3",
            Credentials = ("AKIAFERRYTESTKEY0001", "ferry-test-secret-0123456789abcdefghijkl"),
            DirectRequests = false,
        }, "bucket-one");
        var body = "Welcome to Ferry."u8.ToArray();
        using (var content = new ReadOnlyMemoryStream(body))
        {
            await store.PutAsync(key, content, body.Length, new ObjectWriteOptions(ContentHashes.Sha256Hex(body), ContentHashes.Md5Base64(ContentHashes.Md5Hex(body))), CancellationToken.None);
        }

        var (rawTarget, sent) = await captured.Task.WaitAsync(TimeSpan.FromSeconds(10));
        var sdkAuthorization = sent["authorization"];
        var signedNames = sdkAuthorization.Split("SignedHeaders=")[1].Split(',')[0].Split(';');
        var time = DateTimeOffset.ParseExact(sent["x-amz-date"], "yyyyMMdd'T'HHmmss'Z'", null, System.Globalization.DateTimeStyles.AssumeUniversal);
        var sut = new SigV4Signer("AKIAFERRYTESTKEY0001", "ferry-test-secret-0123456789abcdefghijkl");

        var ours = sut.Authorization("PUT", rawTarget, "", signedNames.ToDictionary(n => n, n => sent[n]), sent["x-amz-content-sha256"], time, "eu-west-3", "s3");

        Assert.Equal($"/bucket-one/{string.Join('/', key.Split('/').Select(SigV4Signer.EncodeSegment))}", rawTarget);
        Assert.Equal(sdkAuthorization, ours);
    }
}
