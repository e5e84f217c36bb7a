using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Ferry.Testing;
using Ferry.Testing.Camtrap;

namespace Ferry.Cli.Tests.Commands;

/// <summary>ferry upload --server of JPEGs with EXIF, then ferry camtrap-dp export: a package valid against the vendored Camtrap DP 1.0 schemas whose every media row downloads its file.</summary>
public sealed class CamtrapDpCommandTests(FerryServeFixture server) : IClassFixture<FerryServeFixture>, IDisposable
{
    private readonly TempDirectory _device = new("cli-camtrap");

    public void Dispose() => _device.Dispose();

    [Fact]
    public async Task Export_AfterUploadWithServer_PackageIsValidAndEveryMediaRowDownloadsTheFile()
    {
        var (project, _) = await ProjectAsync();
        var source = Directory.CreateDirectory(_device.Combine("sd-card")).FullName;
        var files = new Dictionary<string, byte[]>
        {
            ["CAM01/IMG_0001.JPG"] = FieldMedia.Jpeg(new DateTime(2025, 5, 30, 4, 57, 37), "SN-A", seed: 1),
            ["CAM01/IMG_0002.JPG"] = FieldMedia.Jpeg(new DateTime(2025, 5, 30, 4, 57, 40), "SN-A", seed: 2),
            ["CAM02/IMG_0001.JPG"] = FieldMedia.Jpeg(new DateTime(2025, 6, 1, 10, 0, 0), "SN-B", seed: 3),
        };
        foreach (var (path, bytes) in files)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(source, path))!);
            await File.WriteAllBytesAsync(Path.Combine(source, path), bytes);
        }

        var locations = _device.Write("locations.csv", "folder,latitude,longitude\nCAM01,51.496,4.774\nCAM02,51.181,5.655\n"u8.ToArray());
        var ferry = await SignedInDevice(_device.Combine("laptop"));
        var upload = await ferry.RunAsync("upload", source, "--server", server.Url, "--project", project, "--cycle", "C2");
        Assert.True(upload.ExitCode == 0, upload.ToString());
        var output = _device.Combine("package");

        var export = await ferry.RunAsync("camtrap-dp", "export", "--server", server.Url, "--project", project, "--cycle", "C2", "--locations", locations, "--presign-hours", "1", "--utc-offset", "+02:00", output);

        Assert.True(export.ExitCode == 0, export.ToString());
        Assert.Contains("Wrote a Camtrap DP 1.0 package with 3 media", export.Stdout, StringComparison.Ordinal);
        var package = CamtrapPackageValidator.Validate(output);
        Assert.Empty(package.Errors);
        Assert.Equal(3, package.Media.Count);
        var first = package.Media.Single(m => m["deploymentID"] == "C2/CAM01" && m["fileName"] == "IMG_0001.JPG");
        Assert.Equal("2025-05-30T04:57:37+02:00", first["timestamp"]);
        Assert.Contains("\"Body Serial Number\":\"SN-A\"", first["exifData"], StringComparison.Ordinal);
        Assert.Equal("SN-B", package.Deployments.Single(d => d["deploymentID"] == "C2/CAM02")["cameraID"]);
        using var http = new HttpClient();
        foreach (var media in package.Media)
        {
            Assert.Equal(files[media["deploymentID"]!["C2/".Length..] + "/" + media["fileName"]], await http.GetByteArrayAsync(media["filePath"]!));
        }
    }

    [Fact]
    public async Task Export_BadInput_OneLineAndDocumentedExitCode()
    {
        var (project, _) = await ProjectAsync();
        var ferry = await SignedInDevice(_device.Combine("laptop"));
        var taken = Directory.CreateDirectory(_device.Combine("taken")).FullName;
        await File.WriteAllTextAsync(Path.Combine(taken, "x.txt"), "x");

        var empty = await ferry.RunAsync("camtrap-dp", "export", "--server", server.Url, "--project", project, _device.Combine("out.zip"));
        var unknown = await ferry.RunAsync("camtrap-dp", "export", "--server", server.Url, "--project", "no-such-project", _device.Combine("out2"));
        var exists = await ferry.RunAsync("camtrap-dp", "export", "--server", server.Url, "--project", project, taken);
        var hours = await ferry.RunAsync("camtrap-dp", "export", "--server", server.Url, "--project", project, "--presign-hours", "200", _device.Combine("out3"));

        Assert.Equal(1, empty.ExitCode);
        Assert.Equal($"ferry: error: the Ferry server answered 409: project {project} has no uploaded image, audio or video files to export", empty.Stderr.Trim());
        Assert.False(File.Exists(_device.Combine("out.zip")));
        Assert.Equal(2, unknown.ExitCode);
        Assert.StartsWith("ferry: error: the server has no project 'no-such-project' in your company", unknown.Stderr.Trim(), StringComparison.Ordinal);
        Assert.Equal(2, exists.ExitCode);
        Assert.Contains("already exists and is not empty", exists.Stderr, StringComparison.Ordinal);
        Assert.Equal(2, hours.ExitCode);
        Assert.Single(hours.Stderr.Trim().Split('\n'));
        Assert.Equal(["taken"], Directory.EnumerateFileSystemEntries(_device.Path).Select(Path.GetFileName).Where(n => n!.Contains("out", StringComparison.Ordinal) || n == "taken").ToList());
    }

    private async Task<FerryProcess> SignedInDevice(string home)
    {
        var ferry = new FerryProcess(home);
        ferry["AWS_ACCESS_KEY_ID"] = null;
        ferry["AWS_SECRET_ACCESS_KEY"] = null;
        ferry["FERRY_PASSWORD"] = FerryServeFixture.AdminPassword;
        var login = await ferry.RunAsync("login", server.Url, "--username", "admin");
        Assert.True(login.ExitCode == 0, login.ToString());
        return ferry;
    }

    private async Task<(string Project, string Bucket)> ProjectAsync()
    {
        var bucket = await server.S3.CreateBucketAsync("camtrap");
        using var admin = await server.AdminAsync();
        var name = "camtrap-" + Guid.NewGuid().ToString("N")[..8];
        await FerryServerClient.GrantBucketAsync(admin, server.S3.Endpoint, bucket);
        var created = await admin.PostAsJsonAsync("/api/projects", new { name, bucket_name = bucket, region = "us-east-1", endpoint_url = server.S3.Endpoint });
        created.EnsureSuccessStatusCode();
        var id = (await created.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<long>();
        (await admin.PostAsJsonAsync($"/api/projects/{id}/cycles", new { name = "C2" })).EnsureSuccessStatusCode();
        return (name, bucket);
    }
}
