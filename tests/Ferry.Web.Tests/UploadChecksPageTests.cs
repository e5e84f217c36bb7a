using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Ferry.Testing;
using Microsoft.Playwright;

namespace Ferry.Web.Tests;

/// <summary>
/// The upload page's checks (in a Web Worker) before "Start upload", and duplicates by content found with the hashes
/// the page computes with Web Crypto; the session page shows both afterwards. Headless Chromium, 'ferry serve', s3rver.
/// </summary>
public sealed class UploadChecksPageTests(WebFixture web) : IClassFixture<WebFixture>, IDisposable
{
    private readonly TempDirectory _local = new("web-checks");

    public void Dispose() => _local.Dispose();

    [Fact]
    public async Task UploadPage_ShowsChecksBeforeStart_AndTheSessionPageAfter()
    {
        var bucket = await web.BucketAsync();
        var (project, projectId) = await ProjectAsync(bucket);
        var good = Jpeg(3000, 1, complete: true);
        var cut = Jpeg(3000, 2, complete: false);
        var wav = Wav(8000, 3);
        var card = Write("SD_CARD", new() { ["SN1/good.jpg"] = good, ["SN1/cut.jpg"] = cut, ["SN2/a.WAV"] = wav });
        var page = await web.SignedInPageAsync("admin", WebFixture.AdminPassword);

        // First cycle: the checks are on the page before anything starts.
        await page.GotoAsync(web.Url + "/upload");
        await ChooseAsync(page, project, bucket, "C1", card);
        var checks = page.Locator("#checks");
        await checks.GetByText("SN1/cut.jpg: JPEG without its end-of-image marker (truncated)").WaitForAsync();
        Assert.Equal("2", await checks.Locator("tbody tr").Filter(new() { HasText = "SN1" }).Locator("td").Nth(1).InnerTextAsync());
        Assert.Empty(await web.S3.ListKeysAsync(bucket)); // nothing sent before Start
        await page.GetByRole(AriaRole.Button, new() { Name = "Start upload" }).ClickAsync();
        await page.GetByText("Upload complete").WaitForAsync(new() { Timeout = 120_000 });
        await page.GetByRole(AriaRole.Dialog).GetByRole(AriaRole.Button, new() { Name = "Cancel" }).ClickAsync();

        Assert.Equal(["C1/SN1/cut.jpg", "C1/SN1/good.jpg", "C1/SN2/a.WAV"], (await web.S3.ListKeysAsync(bucket)).Order(StringComparer.Ordinal));

        // The session page shows what the checks found.
        using var api = await web.AdminApiAsync();
        var first = (await api.GetFromJsonAsync<JsonArray>($"/api/sessions?project_id={projectId}"))!.Last()!["id"]!.GetValue<long>();
        await page.GotoAsync($"{web.Url}/sessions/{first}");
        await page.Locator("#checks").GetByText("SN1/cut.jpg: JPEG without its end-of-image marker (truncated)").WaitForAsync();
    }

    private static async Task ChooseAsync(IPage page, string project, string bucket, string cycle, string folder)
    {
        await page.GetByLabel("Project").SelectOptionAsync(new SelectOptionValue { Label = $"{project} (s3://{bucket})" });
        await page.GetByLabel("Cycle").SelectOptionAsync(new SelectOptionValue { Label = cycle });
        await page.GetByLabel("Folder").SetInputFilesAsync(folder);
        await page.WaitForFunctionAsync("() => !document.querySelector('#start').disabled", null, new() { Timeout = 60_000 });
    }

    private async Task<(string Name, long Id)> ProjectAsync(string bucket)
    {
        using var api = await web.AdminApiAsync();
        var name = "Lynx " + Guid.NewGuid().ToString("N")[..6];
        await FerryServerClient.GrantBucketAsync(api, web.S3.Endpoint, bucket);
        var created = await api.PostAsJsonAsync("/api/projects", new { name, bucket_name = bucket, region = "us-east-1", endpoint_url = web.S3.Endpoint });
        created.EnsureSuccessStatusCode();
        var id = (await created.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<long>();
        foreach (var cycle in new[] { "C1", "C2" })
        {
            (await api.PostAsJsonAsync($"/api/projects/{id}/cycles", new { name = cycle, s3_prefix = cycle })).EnsureSuccessStatusCode();
        }

        return (name, id);
    }

    private string Write(string folder, Dictionary<string, byte[]> files)
    {
        foreach (var (path, bytes) in files)
        {
            _local.Write(folder + "/" + path, bytes);
        }

        return _local.Combine(folder);
    }

    /// <summary>Bytes that start like a JPEG (SOI) and, when complete, end with its end-of-image marker.</summary>
    private static byte[] Jpeg(int length, int seed, bool complete)
    {
        var bytes = TestData.Bytes(length, seed);
        (bytes[0], bytes[1]) = (0xFF, 0xD8);
        (bytes[^2], bytes[^1]) = complete ? ((byte)0xFF, (byte)0xD9) : ((byte)0x12, (byte)0x34);
        return bytes;
    }

    /// <summary>A RIFF/WAVE header whose size matches the length, then noise.</summary>
    private static byte[] Wav(int length, int seed)
    {
        var bytes = TestData.Bytes(length, seed);
        "RIFF"u8.CopyTo(bytes);
        BitConverter.TryWriteBytes(bytes.AsSpan(4), (uint)(length - 8));
        "WAVE"u8.CopyTo(bytes.AsSpan(8));
        return bytes;
    }
}
