using System.IO.Compression;
using System.Net;
using System.Net.Http.Json;
using Ferry.Testing;
using Ferry.Testing.Camtrap;

namespace Ferry.Server.Tests.Camtrap;

/// <summary>A server upload job records each file's capture metadata as it registers it; the export lists them without reading the objects.</summary>
public sealed class CamtrapJobExportTests(SqliteServerWithWorkerFixture fixture) : IClassFixture<SqliteServerWithWorkerFixture>, IDisposable
{
    private readonly TempDirectory _temp = new("camtrap-job");

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Export_AfterAJob_MediaCarryTheirExifAndDownloadTheFiles()
    {
        var tenant = await fixture.NewTenantAsync();
        var (projectId, cycleId, _) = await fixture.NewProjectAsync(tenant, prefix: "C3");
        var folder = Path.Combine(await fixture.NewRootAsync(tenant), "card-" + Guid.NewGuid().ToString("N")[..6]);
        var files = new Dictionary<string, byte[]>
        {
            ["TRAP7/IMG_0001.JPG"] = FieldMedia.Jpeg(new DateTime(2025, 7, 1, 12, 0, 0), "SN-7", seed: 5),
            ["TRAP7/IMG_0002.JPG"] = FieldMedia.Jpeg(new DateTime(2025, 7, 3, 6, 30, 0), "SN-7", seed: 6),
        };
        foreach (var (path, bytes) in files)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(folder, path))!);
            await File.WriteAllBytesAsync(Path.Combine(folder, path), bytes);
        }

        var job = await ApiCalls.PostAsync(tenant.User, "/api/jobs", new { project_id = projectId, cycle_id = cycleId, local_directory = folder }, HttpStatusCode.Created);
        await WaitAsync(tenant.User, job["id"]!.GetValue<long>());
        using var response = await tenant.User.PostAsJsonAsync($"/api/projects/{projectId}/camtrap-dp", new { cycle_id = cycleId, presign_hours = 2, locations_csv = "deploymentID,latitude,longitude\nC1/TRAP7,-1.5,36.8\n" });
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        var package = _temp.Combine("package");
        using (var zip = new ZipArchive(await response.Content.ReadAsStreamAsync(), ZipArchiveMode.Read))
        {
            zip.ExtractToDirectory(package);
        }

        var validated = CamtrapPackageValidator.Validate(package);

        Assert.Empty(validated.Errors);
        var deployment = Assert.Single(validated.Deployments);
        Assert.Equal(("C1/TRAP7", "2025-07-01T12:00:00+00:00", "2025-07-03T06:30:00+00:00", "SN-7", "-1.5", "36.8"),
            (deployment["deploymentID"], deployment["deploymentStart"], deployment["deploymentEnd"], deployment["cameraID"], deployment["latitude"], deployment["longitude"]));
        Assert.Equal(2, validated.Media.Count);
        Assert.All(validated.Media, m => Assert.Contains("\"Model\":\"HF2X\"", m["exifData"], StringComparison.Ordinal));
        Assert.Equal("Point", validated.Descriptor["spatial"]!["type"]!.GetValue<string>());
        foreach (var media in validated.Media)
        {
            Assert.Equal(files["TRAP7/" + media["fileName"]], await SessionCalls.Plain.GetByteArrayAsync(media["filePath"]!));
        }
    }

    private static async Task WaitAsync(HttpClient client, long id)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            var job = await ApiCalls.GetAsync(client, $"/api/jobs/{id}");
            if (job["status"]!.GetValue<string>() is "completed" or "failed" or "cancelled")
            {
                Assert.Equal("completed", job["status"]!.GetValue<string>());
                return;
            }

            await Task.Delay(200);
        }

        Assert.Fail($"job {id} did not finish in 60 s");
    }
}
