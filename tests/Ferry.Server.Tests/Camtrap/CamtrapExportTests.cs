using System.Globalization;
using System.IO.Compression;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Ferry.Core.Checks;
using Ferry.Testing;
using Ferry.Testing.Camtrap;

using static Ferry.Server.Tests.SessionCalls;

namespace Ferry.Server.Tests.Camtrap;

/// <summary>
/// The Camtrap DP export end to end against s3rver: files registered with the capture metadata their headers hold (read
/// by <see cref="FileCaptureReader"/>, as <c>ferry upload --server</c> does), uploaded, exported, validated against the
/// vendored Camtrap DP 1.0 schemas, and each media row's filePath downloaded and compared with the file.
/// </summary>
public abstract class CamtrapExportTests<TFixture>(TFixture fixture) : IClassFixture<TFixture>, IDisposable where TFixture : ServerFixture
{
    private const string Locations = "folder,latitude,longitude,locationName,coordinateUncertainty\nCAM01,51.496,4.774,Pond,30\nCAM02,51.181,5.655,Trail,\n";

    private readonly TempDirectory _temp = new("camtrap");

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Export_FilesWithCaptureMetadata_PackageIsValidAndEveryMediaRowDownloadsTheFile()
    {
        var tenant = await fixture.NewTenantAsync();
        var (projectId, cycleId, _) = await fixture.NewProjectAsync(tenant, prefix: "C1");
        var files = await UploadCardAsync(tenant, projectId, cycleId);

        var folder = await ExportAsync(tenant.User, projectId, new { cycle_id = cycleId, locations_csv = Locations, presign_hours = 1 });
        var package = CamtrapPackageValidator.Validate(folder);

        Assert.Empty(package.Errors);
        Assert.Equal(4, package.Media.Count); // notes.txt is no image, audio or video
        Assert.Equal(["C1/CAM01", "C1/CAM02"], package.Deployments.Select(d => d["deploymentID"]!).Order(StringComparer.Ordinal));
        var cam01 = package.Deployments.Single(d => d["deploymentID"] == "C1/CAM01");
        Assert.Equal(("51.496", "4.774", "Pond", "30"), (cam01["latitude"], cam01["longitude"], cam01["locationName"], cam01["coordinateUncertainty"]));
        Assert.Equal(("2025-06-01T05:00:00+00:00", "2025-06-01T05:10:00+00:00"), (cam01["deploymentStart"], cam01["deploymentEnd"]));
        Assert.Equal(("SN-A", "Reconyx-HF2X", "false"), (cam01["cameraID"], cam01["cameraModel"], cam01["timestampIssues"]));
        Assert.Empty(package.Observations);
        var row = package.Media.Single(m => m["fileName"] == "IMG_0002.JPG");
        Assert.Equal(("C1/CAM01", "2025-06-01T05:10:00+00:00", "image/jpeg", "false"), (row["deploymentID"], row["timestamp"], row["fileMediatype"], row["filePublic"]));
        var exif = JsonNode.Parse(row["exifData"]!)!.AsObject();
        Assert.Equal("Reconyx", exif["Make"]!.GetValue<string>());
        Assert.Equal("2025:06:01 05:10:00", exif["Date/Time Original"]!.GetValue<string>());
        Assert.Equal("Polygon", package.Descriptor["spatial"]!["type"]!.GetValue<string>());
        Assert.Equal(("2025-06-01", "2025-06-02"), (package.Descriptor["temporal"]!["start"]!.GetValue<string>(), package.Descriptor["temporal"]!["end"]!.GetValue<string>()));
        foreach (var media in package.Media)
        {
            var path = media["deploymentID"]![3..] + "/" + media["fileName"];
            Assert.Equal(files[path], await Plain.GetByteArrayAsync(media["filePath"]!));
        }
    }

    [Fact]
    public async Task Export_UtcOffsetAndPlainUrls_TimesCarryTheOffsetAndPathsAreObjectUrls()
    {
        var tenant = await fixture.NewTenantAsync();
        var (projectId, cycleId, bucket) = await fixture.NewProjectAsync(tenant, prefix: "C1");
        await UploadCardAsync(tenant, projectId, cycleId);

        var folder = await ExportAsync(tenant.User, projectId, new { locations_csv = Locations, utc_offset = "+02:00" });
        var package = CamtrapPackageValidator.Validate(folder);

        Assert.Empty(package.Errors);
        var row = package.Media.Single(m => m["fileName"] == "IMG_0002.JPG");
        Assert.Equal("2025-06-01T05:10:00+02:00", row["timestamp"]);
        Assert.Equal($"{fixture.S3.Endpoint}/{bucket}/C1/CAM01/IMG_0002.JPG", row["filePath"]);
    }

    [Fact]
    public async Task Export_SevenDaysAskedOnADefaultServer_LinksLiveThePresignLifetimeAndThePackageSaysSo()
    {
        var tenant = await fixture.NewTenantAsync();
        var (projectId, cycleId, _) = await fixture.NewProjectAsync(tenant, prefix: "C1");
        var files = await UploadCardAsync(tenant, projectId, cycleId);

        var folder = await ExportAsync(tenant.User, projectId, new { locations_csv = Locations, presign_hours = 168 });
        var package = CamtrapPackageValidator.Validate(folder);

        Assert.Empty(package.Errors);
        Assert.All(package.Media, m => Assert.Contains("X-Amz-Expires=3600&", m["filePath"]!, StringComparison.Ordinal)); // Ferry:PresignLifetime, 1 hour by default
        Assert.StartsWith("Media filePath values are presigned S3 links valid for 3600 seconds, until ", package.Descriptor["description"]!.GetValue<string>(), StringComparison.Ordinal);
        var row = package.Media.Single(m => m["fileName"] == "IMG_0002.JPG");
        Assert.Equal(files["CAM01/IMG_0002.JPG"], await Plain.GetByteArrayAsync(row["filePath"]!));
    }

    [Fact]
    public async Task ProjectPage_DefaultServer_CardOffersNoLinksLongerThanThePresignLifetime()
    {
        var tenant = await fixture.NewTenantAsync();
        var (projectId, _, _) = await fixture.NewProjectAsync(tenant, prefix: "C1");
        var browser = await Attacks.CamtrapPages.SignInUserAsync(fixture, tenant);

        var page = await browser.GetStringAsync($"/projects/{projectId}");

        Assert.Contains("<option value=\"1\">Presigned, valid 1 hour</option>", page, StringComparison.Ordinal);
        Assert.DoesNotContain("<option value=\"24\">", page, StringComparison.Ordinal);
        Assert.DoesNotContain("<option value=\"168\">", page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Export_WithoutLocations_OnlyLatitudeLongitudeAndSpatialAreMissing()
    {
        var tenant = await fixture.NewTenantAsync();
        var (projectId, cycleId, _) = await fixture.NewProjectAsync(tenant, prefix: "C1");
        await UploadCardAsync(tenant, projectId, cycleId);

        var package = CamtrapPackageValidator.Validate(await ExportAsync(tenant.User, projectId, new { presign_hours = 0 }));
        var tableErrors = package.Errors.Where(e => !e.StartsWith("datapackage.json", StringComparison.Ordinal)).ToList();
        var withSpatial = package.Descriptor.DeepClone();
        withSpatial["spatial"] = new JsonObject { ["type"] = "Point", ["coordinates"] = new JsonArray(4.774, 51.496) };

        Assert.Equal(4, tableErrors.Count); // two deployments, latitude and longitude each
        Assert.All(tableErrors, e => Assert.Matches(@"^deployments\.csv line \d, (latitude|longitude): required but empty", e));
        Assert.Null(package.Descriptor["spatial"]);
        Assert.NotEmpty(CamtrapSchemas.ValidateDescriptor(package.Descriptor));
        Assert.Empty(CamtrapSchemas.ValidateDescriptor(withSpatial));
    }

    [Fact]
    public async Task Export_AnotherCompanysProjectOrCycle_IsNotFound()
    {
        var a = await fixture.NewTenantAsync();
        var b = await fixture.NewTenantAsync();
        var (projectA, cycleA, _) = await fixture.NewProjectAsync(a, prefix: "C1");
        var (projectB, _, _) = await fixture.NewProjectAsync(b, prefix: "C1");
        await UploadCardAsync(a, projectA, cycleA);

        using var other = await b.Admin.PostAsJsonAsync($"/api/projects/{projectA}/camtrap-dp", new { presign_hours = 1 });
        using var otherCycle = await b.Admin.PostAsJsonAsync($"/api/projects/{projectB}/camtrap-dp", new { cycle_id = cycleA, presign_hours = 1 });

        Assert.Equal(HttpStatusCode.NotFound, other.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, otherCycle.StatusCode);
        Assert.DoesNotContain("CAM01", await other.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Export_BadRequests_AreRefusedWithOneLine()
    {
        var tenant = await fixture.NewTenantAsync();
        var (projectId, cycleId, _) = await fixture.NewProjectAsync(tenant, prefix: "C1");

        var empty = await ApiCalls.PostAsync(tenant.User, $"/api/projects/{projectId}/camtrap-dp", new { }, HttpStatusCode.Conflict);
        await UploadCardAsync(tenant, projectId, cycleId);
        var typo = await ApiCalls.PostAsync(tenant.User, $"/api/projects/{projectId}/camtrap-dp", new { locations_csv = "folder,latitude,longitude\nCAM01,51,4\nCAM9,52,5\n" }, HttpStatusCode.BadRequest);
        var range = await ApiCalls.PostAsync(tenant.User, $"/api/projects/{projectId}/camtrap-dp", new { locations_csv = "folder,latitude,longitude\nCAM01,95,4\n" }, HttpStatusCode.BadRequest);
        var hours = await ApiCalls.PostAsync(tenant.User, $"/api/projects/{projectId}/camtrap-dp", new { presign_hours = 169 }, HttpStatusCode.BadRequest);
        var viewer = await ApiCalls.StatusAsync(tenant.Viewer, HttpMethod.Post, $"/api/projects/{projectId}/camtrap-dp", new { });

        Assert.Contains("has no uploaded image, audio or video files", Detail(empty), StringComparison.Ordinal);
        Assert.Equal("locations CSV line 3: 'CAM9' is no deployment of this export (deployments are cycle/folder, e.g. 'C1/CAM01')", Detail(typo));
        Assert.Equal("locations CSV line 2: latitude must be a number from -90 to 90 and longitude from -180 to 180", Detail(range));
        Assert.Contains("presign_hours must be 0", Detail(hours), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Forbidden, viewer);
    }

    /// <summary>Two sensor folders of JPEGs with EXIF (one a day later, so the span covers two dates) and a text file, registered with their capture metadata and uploaded.</summary>
    private async Task<Dictionary<string, byte[]>> UploadCardAsync(Tenant tenant, long projectId, long cycleId)
    {
        var files = new Dictionary<string, byte[]>
        {
            ["CAM01/IMG_0001.JPG"] = FieldMedia.Jpeg(new DateTime(2025, 6, 1, 5, 0, 0), "SN-A", seed: 1),
            ["CAM01/IMG_0002.JPG"] = FieldMedia.Jpeg(new DateTime(2025, 6, 1, 5, 10, 0), "SN-A", seed: 2),
            ["CAM02/IMG_0001.JPG"] = FieldMedia.Jpeg(new DateTime(2025, 6, 2, 23, 0, 0), "SN-B", seed: 3),
            ["CAM02/IMG ü+1.JPG"] = FieldMedia.Jpeg(new DateTime(2025, 6, 2, 23, 5, 0), "SN-B", seed: 4),
            ["CAM02/notes.txt"] = "field notes"u8.ToArray(),
        };
        var card = _temp.Combine(Guid.NewGuid().ToString("N")[..8]);
        var entries = new List<object>();
        foreach (var (path, bytes) in files)
        {
            var full = Path.Combine(card, path);
            Directory.CreateDirectory(Path.GetDirectoryName(full)!);
            await File.WriteAllBytesAsync(full, bytes);
            entries.Add(new { path, size = bytes.Length, last_modified = "2025-09-09T09:20:00Z", capture = CaptureBody(FileCaptureReader.Read(full)) });
        }

        var sessionId = await NewSessionAsync(tenant.User, projectId, cycleId);
        await ApiCalls.PostAsync(tenant.User, $"/api/sessions/{sessionId}/files", new { files = entries });
        var etags = await UploadAsync(tenant.User, sessionId, files);
        var completed = await CompleteAsync(tenant.User, sessionId, files.Keys.Select(p => new { path = p, etag = etags[p], md5 = Md5(files[p]) }));
        Assert.All(completed, c => Assert.Equal("uploaded", c["status"]!.GetValue<string>()));
        return files;
    }

    /// <summary>The capture as the CLI sends it (FerryApiClient).</summary>
    private static object? CaptureBody(FileCapture? capture) => capture is null ? null : new
    {
        captured_at = capture.CapturedAt?.ToString("yyyy-MM-ddTHH:mm:ss", CultureInfo.InvariantCulture),
        utc_offset_minutes = capture.UtcOffset is { } offset ? (int?)offset.TotalMinutes : null,
        media_type = capture.MediaType,
        make = capture.Make,
        model = capture.Model,
        serial = capture.Serial,
        exif = capture.Exif,
    };

    private async Task<string> ExportAsync(HttpClient client, long projectId, object body)
    {
        using var response = await client.PostAsJsonAsync($"/api/projects/{projectId}/camtrap-dp", body);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        Assert.Equal("application/zip", response.Content.Headers.ContentType?.MediaType);
        var folder = _temp.Combine("package-" + Guid.NewGuid().ToString("N")[..8]);
        using var zip = new ZipArchive(await response.Content.ReadAsStreamAsync(), ZipArchiveMode.Read);
        Assert.Equal(["datapackage.json", "deployments.csv", "media.csv", "observations.csv"], zip.Entries.Select(e => e.FullName).Order(StringComparer.Ordinal));
        zip.ExtractToDirectory(folder);
        return folder;
    }

    private static string Detail(JsonObject problem) => problem["detail"]!.GetValue<string>();
}

public sealed class CamtrapExportTestsOnSqlite(SqliteServerFixture fixture) : CamtrapExportTests<SqliteServerFixture>(fixture);

public sealed class CamtrapExportTestsOnPostgres(PostgresServerFixture fixture) : CamtrapExportTests<PostgresServerFixture>(fixture);
