using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Ferry.Testing;

namespace Ferry.Cli.Tests.Commands;

/// <summary>ferry upload --server sends what its check found to the session, whose page shows it under "Checks before the upload".</summary>
public sealed class UploadServerChecksTests(FerryServeFixture server) : IClassFixture<FerryServeFixture>, IDisposable
{
    private readonly TempDirectory _device = new("cli-upload-checks");

    public void Dispose() => _device.Dispose();

    [Fact]
    public async Task UploadWithServer_SendsTheCheckResults_AndTheSessionPageShowsThem()
    {
        var (project, projectId) = await ProjectAsync();
        var source = Directory.CreateDirectory(_device.Combine("sd-card")).FullName;
        var files = new Dictionary<string, byte[]>
        {
            ["CAM01/IMG_0001.JPG"] = FieldMedia.Jpeg(new DateTime(2025, 5, 30, 4, 57, 37), "SN-A", seed: 1),
            ["CAM01/IMG_0002.JPG"] = FieldMedia.Jpeg(new DateTime(2025, 6, 2, 18, 3, 0), "SN-A", seed: 2),
            ["CAM01/IMG_0003.JPG"] = FieldMedia.Cut(FieldMedia.Jpeg(new DateTime(2025, 6, 1, 12, 0, 0), "SN-A", seed: 3), 1500),
            ["CAM02/empty.WAV"] = [],
        };
        foreach (var (path, bytes) in files)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(source, path))!);
            await File.WriteAllBytesAsync(Path.Combine(source, path), bytes);
        }

        var ferry = new FerryProcess(_device.Combine("laptop"));
        ferry["AWS_ACCESS_KEY_ID"] = null;
        ferry["AWS_SECRET_ACCESS_KEY"] = null;
        ferry["FERRY_PASSWORD"] = FerryServeFixture.AdminPassword;
        var login = await ferry.RunAsync("login", server.Url, "--username", "admin");
        Assert.True(login.ExitCode == 0, login.ToString());

        var upload = await ferry.RunAsync("upload", source, "--server", server.Url, "--project", project, "--cycle", "C2");

        Assert.True(upload.ExitCode == 0, upload.ToString());
        Assert.Contains("check found 2 problems", upload.Stderr, StringComparison.Ordinal);
        using var admin = await server.AdminAsync();
        var session = (await admin.GetFromJsonAsync<JsonArray>($"/api/sessions?project_id={projectId}"))!.Single()!["id"]!.GetValue<long>();
        var html = WebUtility.HtmlDecode(await (await SignedInBrowserAsync()).GetStringAsync($"/sessions/{session}"));
        var checks = Regex.Match(html, "<section class=\"card\" id=\"checks\">(.*?)</section>", RegexOptions.Singleline).Groups[1].Value;
        var cam01 = Row(checks, "CAM01");
        Assert.Equal(["CAM01", "3"], cam01.Take(2));
        Assert.Equal("2025-05-30 04:57 – 2025-06-02 18:03 (capture, camera clock)", cam01[3]);
        Assert.StartsWith("1", cam01[4], StringComparison.Ordinal);
        Assert.Contains("CAM01/IMG_0003.JPG: truncated:", cam01[4], StringComparison.Ordinal);
        var cam02 = Row(checks, "CAM02");
        Assert.Equal(["CAM02", "1"], cam02.Take(2));
        Assert.Contains("CAM02/empty.WAV: empty:", cam02[4], StringComparison.Ordinal);
    }

    /// <summary>The text of each cell of the checks table's row for <paramref name="folder"/>.</summary>
    private static List<string> Row(string section, string folder)
    {
        var row = Regex.Matches(section, "<tr>(.*?)</tr>", RegexOptions.Singleline).Select(m => m.Groups[1].Value)
            .Single(r => r.Contains($">{folder}</td>", StringComparison.Ordinal));
        return Regex.Matches(row, "<td[^>]*>(.*?)</td>", RegexOptions.Singleline)
            .Select(m => Regex.Replace(Regex.Replace(m.Groups[1].Value, "<[^>]+>", " "), @"\s+", " ").Trim()).ToList();
    }

    /// <summary>An HTTP client with the administrator's sign-in cookie, as a browser has after /signin.</summary>
    private async Task<HttpClient> SignedInBrowserAsync()
    {
        var browser = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer() }) { BaseAddress = new Uri(server.Url) };
        var form = await browser.GetStringAsync("/signin");
        var token = Regex.Match(form, "name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"");
        Assert.True(token.Success, "/signin has no form token");
        var signedIn = await browser.PostAsync("/signin", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["Username"] = "admin",
            ["Password"] = FerryServeFixture.AdminPassword,
            ["__RequestVerificationToken"] = WebUtility.HtmlDecode(token.Groups[1].Value),
        }));
        signedIn.EnsureSuccessStatusCode();
        return browser;
    }

    private async Task<(string Name, long Id)> ProjectAsync()
    {
        var bucket = await server.S3.CreateBucketAsync("checks");
        using var admin = await server.AdminAsync();
        var name = "checks-" + Guid.NewGuid().ToString("N")[..8];
        await FerryServerClient.GrantBucketAsync(admin, server.S3.Endpoint, bucket);
        var created = await admin.PostAsJsonAsync("/api/projects", new { name, bucket_name = bucket, region = "us-east-1", endpoint_url = server.S3.Endpoint });
        created.EnsureSuccessStatusCode();
        var id = (await created.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<long>();
        (await admin.PostAsJsonAsync($"/api/projects/{id}/cycles", new { name = "C2" })).EnsureSuccessStatusCode();
        return (name, id);
    }
}
