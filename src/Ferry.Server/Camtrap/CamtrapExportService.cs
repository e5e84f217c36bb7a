using System.Globalization;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using CsvHelper;
using Ferry.Core;
using Ferry.Core.Checks;
using Ferry.Server.Sessions;
using Ferry.Server.Storage;

namespace Ferry.Server.Camtrap;

/// <summary>
/// A finished package: a zip to send (deleted when disposed, which ends the company's running export) and its suggested
/// file name; <paramref name="LinksExpireAt"/> is when its presigned media links expire (null: plain S3 URLs).
/// </summary>
internal sealed record CamtrapPackage(Stream Zip, string FileName, int Media, int Deployments, DateTimeOffset? LinksExpireAt) : IDisposable
{
    public void Dispose() => Zip.Dispose();
}

/// <summary>
/// Writes a project's uploaded files as a Camtrap DP 1.0 package (https://camtrap-dp.tdwg.org): <c>datapackage.json</c>,
/// <c>deployments.csv</c> (one deployment per sensor folder and cycle, start and end from the capture times),
/// <c>media.csv</c> (one row per stored object of an image, audio or video type; a file skipped as a duplicate of
/// another key was never stored under its own key, so it has no row) and an empty <c>observations.csv</c>, zipped.
/// At most <see cref="FerryServerOptions.CamtrapMaximumMedia"/> media rows, one running export per company
/// (<see cref="CamtrapExportGate"/>). Everything comes from the database — the capture metadata recorded at registration — so no object is read.
/// The caller's company is the database scope's: another company's project is not found.
/// </summary>
internal sealed class CamtrapExportService(FerryDbContext db, ProjectStores stores, CamtrapExportGate gate, FerryServerOptions serverOptions, TimeProvider time, ILogger<CamtrapExportService> logger)
{
    public const string Version = "1.0";
    public const string ProfileUrl = "https://raw.githubusercontent.com/tdwg/camtrap-dp/1.0/camtrap-dp-profile.json";

    private const string SchemaBase = "https://raw.githubusercontent.com/tdwg/camtrap-dp/1.0/";

    private static readonly string[] DeploymentColumns =
    [
        "deploymentID", "locationID", "locationName", "latitude", "longitude", "coordinateUncertainty", "deploymentStart", "deploymentEnd",
        "setupBy", "cameraID", "cameraModel", "cameraDelay", "cameraHeight", "cameraDepth", "cameraTilt", "cameraHeading", "detectionDistance",
        "timestampIssues", "baitUse", "featureType", "habitat", "deploymentGroups", "deploymentTags", "deploymentComments",
    ];

    private static readonly string[] MediaColumns =
    [
        "mediaID", "deploymentID", "captureMethod", "timestamp", "filePath", "filePublic", "fileName", "fileMediatype", "exifData", "favorite", "mediaComments",
    ];

    private static readonly string[] ObservationColumns =
    [
        "observationID", "deploymentID", "mediaID", "eventID", "eventStart", "eventEnd", "observationLevel", "observationType", "cameraSetupType",
        "scientificName", "count", "lifeStage", "sex", "behavior", "individualID", "individualPositionRadius", "individualPositionAngle", "individualSpeed",
        "bboxX", "bboxY", "bboxWidth", "bboxHeight", "classificationMethod", "classifiedBy", "classificationTimestamp", "classificationProbability",
        "observationTags", "observationComments",
    ];

    /// <summary>
    /// The package, or a refusal: the project or cycle is not the caller's (<see cref="CamtrapRefusal.NotFound"/>), the
    /// locations CSV is wrong or there are more media than <see cref="FerryServerOptions.CamtrapMaximumMedia"/>
    /// (<see cref="CamtrapRefusal.Invalid"/>), nothing to export (<see cref="CamtrapRefusal.Empty"/>), or another export of
    /// the company is running (<see cref="CamtrapRefusal.Busy"/>). Presigned media links live <see cref="CamtrapLinkLifetime.Of"/>:
    /// never past <paramref name="notAfter"/>, when the caller's sign-in ends.
    /// </summary>
    public async Task<(CamtrapPackage? Package, CamtrapRefusal? Refusal)> ExportAsync(long companyId, long projectId, string contributor, CamtrapExportOptions options, DateTimeOffset? notAfter, CancellationToken cancellationToken)
    {
        var project = await db.Projects.AsNoTracking().FirstOrDefaultAsync(p => p.Id == projectId && p.CompanyId == companyId, cancellationToken);
        if (project is null)
        {
            return (null, CamtrapRefusal.NotFound($"project {projectId}"));
        }

        var cycles = await db.Cycles.AsNoTracking().Where(c => c.ProjectId == projectId).ToDictionaryAsync(c => c.Id, cancellationToken);
        if (options.CycleId is { } cycleId && !cycles.ContainsKey(cycleId))
        {
            return (null, CamtrapRefusal.NotFound($"cycle {cycleId} of project {projectId}"));
        }

        var locations = DeploymentLocations.None;
        if (options.LocationsCsv is { } csv)
        {
            var (parsed, problem) = DeploymentLocations.Parse(csv);
            if (parsed is null)
            {
                return (null, CamtrapRefusal.Invalid(problem!));
            }

            locations = parsed;
        }

        MediaUrls? urls;
        var now = time.GetUtcNow();
        var lifetime = CamtrapLinkLifetime.Of(options.PresignHours, serverOptions, now, notAfter);
        try
        {
            urls = new MediaUrls(stores.For(project).Presigner, lifetime, now);
        }
        catch (Ferry.Core.Storage.StoreException ex)
        {
            // The credential chain's own text can name the server's files and profiles: it goes to the log.
            logger.LogWarning("Camtrap DP export of project {Project}: its storage cannot sign links: {Message}", project.Id, ex.Message);
            return (null, CamtrapRefusal.Invalid($"the project's storage cannot sign links: {ServerFailureText.Describe(ex)}; the details are in the server log"));
        }

        if (gate.TryEnter(companyId) is not { } lease)
        {
            return (null, CamtrapRefusal.Busy("a Camtrap DP export of your company is being made; try again when it has finished"));
        }

        CamtrapZipFile zipFile;
        try
        {
            zipFile = new CamtrapZipFile(Path.Combine(Path.GetTempPath(), $"ferry-camtrap-{Guid.NewGuid():N}.zip"), lease);
        }
        catch
        {
            lease.Dispose();
            throw;
        }

        try
        {
            var deployments = new Dictionary<string, DeploymentTally>(StringComparer.Ordinal);
            CamtrapRefusal? refusal = null;
            int media;
            using (var zip = new ZipArchive(zipFile, ZipArchiveMode.Create, leaveOpen: true))
            {
                media = await WriteMediaAsync(zip, projectId, options, cycles, deployments, urls, cancellationToken);
                var ordered = deployments.Values.OrderBy(d => d.Id, StringComparer.Ordinal).ToList();
                if (media > serverOptions.CamtrapMaximumMedia)
                {
                    refusal = CamtrapRefusal.Invalid($"the export has more than {serverOptions.CamtrapMaximumMedia:N0} media files, the most one package holds (Ferry:CamtrapMaximumMedia); export one cycle at a time");
                }
                else if (media == 0)
                {
                    refusal = CamtrapRefusal.Empty(options.CycleId is null
                        ? $"project {project.Name} has no uploaded image, audio or video files to export"
                        : $"cycle {cycles[options.CycleId.Value].Name} of project {project.Name} has no uploaded image, audio or video files to export");
                }
                else if (locations.Unmatched(ordered.Select(d => (d.Id, d.Folder)).ToList()) is { } unmatched)
                {
                    refusal = CamtrapRefusal.Invalid(unmatched);
                }
                else
                {
                    await WriteDeploymentsAsync(zip, ordered, locations, cancellationToken);
                    await WriteCsvAsync(zip, "observations.csv", ObservationColumns, _ => Task.CompletedTask, cancellationToken);
                    var title = options.CycleId is { } id ? $"{project.Name} – {cycles[id].Name}" : project.Name;
                    await WriteDescriptorAsync(zip, project.Name, title, contributor, ordered, locations, now, lifetime, cancellationToken);
                }
            }

            if (refusal is not null)
            {
                await zipFile.DisposeAsync();
                return (null, refusal);
            }

            zipFile.Position = 0;
            var name = Slug(options.CycleId is { } chosen ? $"{project.Name}-{cycles[chosen].Name}" : project.Name) + "-camtrap-dp.zip";
            return (new CamtrapPackage(zipFile, name, media, deployments.Count, lifetime is { } used ? now + used : null), null);
        }
        catch
        {
            await zipFile.DisposeAsync();
            throw;
        }
    }

    private async Task<int> WriteMediaAsync(ZipArchive zip, long projectId, CamtrapExportOptions options, Dictionary<long, Cycle> cycles,
        Dictionary<string, DeploymentTally> deployments, MediaUrls urls, CancellationToken cancellationToken)
    {
        var sessions = db.Sessions.AsNoTracking().Where(s => s.ProjectId == projectId && (options.CycleId == null || s.CycleId == options.CycleId));
        var rows =
            from f in db.SessionFiles.AsNoTracking()
            join s in sessions on f.SessionId equals s.Id
            // Stored objects only: a file skipped as a duplicate (duplicate_of) was never uploaded under its own key.
            where f.Status == FileStatus.Uploaded || (f.Status == FileStatus.Skipped && f.DuplicateOf == null)
            join c in db.SessionFileCaptures.AsNoTracking() on new { f.SessionId, f.Path } equals new { c.SessionId, c.Path } into captures
            from c in captures.DefaultIfEmpty()
            orderby f.Key, c == null ? 1 : 0, f.Id descending
            select new MediaSource(f.Key, f.Path, s.CycleId, f.LastModified, f.UploadedAt, f.RegisteredAt,
                c == null ? null : c.CapturedAt, c == null ? null : c.UtcOffsetMinutes, c == null ? null : c.MediaType,
                c == null ? null : c.Make, c == null ? null : c.Model, c == null ? null : c.Serial, c == null ? null : c.Exif);

        var count = 0;
        var exceeded = false;
        string? previousKey = null;
        await WriteCsvAsync(zip, "media.csv", MediaColumns, async csv =>
        {
            await foreach (var row in rows.AsAsyncEnumerable().WithCancellation(cancellationToken))
            {
                // Rows come by key, the one with a capture record (and the newest) first: one media row per object.
                if (row.Key == previousKey)
                {
                    continue;
                }

                previousKey = row.Key;
                var mediaType = row.MediaType ?? FileCaptureReader.MediaTypeOf(row.Path, MediaKind.Other);
                if (mediaType is null || !(mediaType.StartsWith("image/", StringComparison.Ordinal) || mediaType.StartsWith("video/", StringComparison.Ordinal) || mediaType.StartsWith("audio/", StringComparison.Ordinal)))
                {
                    continue;
                }

                if (count == serverOptions.CamtrapMaximumMedia)
                {
                    // One more than a package holds: the export is refused, nothing more is read or written.
                    exceeded = true;
                    return;
                }

                var cycle = cycles[row.CycleId];
                var slash = row.Path.LastIndexOf('/');
                var folder = slash < 0 ? "." : row.Path[..slash];
                var deploymentId = folder == "." ? cycle.Name : $"{cycle.Name}/{folder}";
                if (!deployments.TryGetValue(deploymentId, out var deployment))
                {
                    deployments[deploymentId] = deployment = new DeploymentTally(deploymentId, cycle.Name, folder);
                }

                var (timestamp, estimated) = Timestamp(row, options.UtcOffset);
                deployment.Add(timestamp, estimated, row.Serial, row.Make, row.Model);
                Field(csv, MediaId(row.Key));
                Field(csv, deploymentId);
                Field(csv, "");
                Field(csv, Format(timestamp));
                Field(csv, urls.UrlOf(row.Key));
                Field(csv, "false");
                Field(csv, slash < 0 ? row.Path : row.Path[(slash + 1)..]);
                Field(csv, mediaType);
                Field(csv, row.Exif ?? "");
                Field(csv, "");
                Field(csv, "");
                await csv.EndRecordAsync(cancellationToken);
                count++;
            }
        }, cancellationToken);
        return exceeded ? count + 1 : count;
    }

    private static async Task WriteDeploymentsAsync(ZipArchive zip, IReadOnlyList<DeploymentTally> deployments, DeploymentLocations locations, CancellationToken cancellationToken) =>
        await WriteCsvAsync(zip, "deployments.csv", DeploymentColumns, async csv =>
        {
            foreach (var d in deployments)
            {
                var location = locations.Find(d.Id, d.Folder);
                Field(csv, d.Id);
                Field(csv, location?.LocationId ?? "");
                Field(csv, location?.LocationName ?? d.Folder);
                Field(csv, location is null ? "" : location.Latitude.ToString("R", CultureInfo.InvariantCulture));
                Field(csv, location is null ? "" : location.Longitude.ToString("R", CultureInfo.InvariantCulture));
                Field(csv, location?.CoordinateUncertainty?.ToString(CultureInfo.InvariantCulture) ?? "");
                Field(csv, Format(d.Start));
                Field(csv, Format(d.End));
                Field(csv, "");
                Field(csv, d.CameraId ?? "");
                Field(csv, d.CameraModel ?? "");
                for (var i = 0; i < 6; i++)
                {
                    Field(csv, null); // cameraDelay … detectionDistance: the field team's to fill
                }

                Field(csv, d.TimestampIssues ? "true" : "false");
                Field(csv, "");
                Field(csv, "");
                Field(csv, "");
                Field(csv, $"cycle:{d.Cycle}");
                Field(csv, "");
                Field(csv, d.Comment);
                await csv.EndRecordAsync(cancellationToken);
            }
        }, cancellationToken);

    private static async Task WriteDescriptorAsync(ZipArchive zip, string projectName, string title, string contributor, IReadOnlyList<DeploymentTally> deployments,
        DeploymentLocations locations, DateTimeOffset created, TimeSpan? linkLifetime, CancellationToken cancellationToken)
    {
        var resources = new JsonArray();
        foreach (var name in new[] { "deployments", "media", "observations" })
        {
            resources.Add(new JsonObject
            {
                ["name"] = name,
                ["path"] = $"{name}.csv",
                ["profile"] = "tabular-data-resource",
                ["format"] = "csv",
                ["mediatype"] = "text/csv",
                ["encoding"] = "utf-8",
                ["schema"] = $"{SchemaBase}{name}-table-schema.json",
            });
        }

        var descriptor = new JsonObject
        {
            ["resources"] = resources,
            ["profile"] = ProfileUrl,
            ["name"] = Slug(title),
            ["created"] = Timestamps.IsoSeconds(created),
            ["title"] = title,
            ["description"] = linkLifetime is { } lifetime
                ? string.Create(CultureInfo.InvariantCulture, $"Media filePath values are presigned S3 links valid for {lifetime.TotalSeconds:0} seconds, until {(created + lifetime).UtcDateTime:yyyy-MM-dd'T'HH:mm:ss'Z'}; export again for fresh links.")
                : "Media filePath values are plain S3 object URLs: readers need access to the bucket.",
            ["contributors"] = new JsonArray(new JsonObject { ["title"] = contributor, ["role"] = "contact" }),
            ["sources"] = new JsonArray(new JsonObject { ["title"] = "Ferry", ["version"] = typeof(CamtrapExportService).Assembly.GetName().Version?.ToString() ?? "" }),
            ["project"] = new JsonObject
            {
                ["title"] = projectName,
                // Camtrap DP requires these; Ferry cannot know them, so they are the most common values, for the team to correct.
                ["samplingDesign"] = "opportunistic",
                ["captureMethod"] = new JsonArray("activityDetection"),
                ["individualAnimals"] = false,
                ["observationLevel"] = new JsonArray("media"),
            },
            ["temporal"] = new JsonObject
            {
                ["start"] = deployments.Min(d => d.Start).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                ["end"] = deployments.Max(d => d.End).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            },
            ["taxonomic"] = new JsonArray(),
        };
        if (Spatial(deployments.Select(d => locations.Find(d.Id, d.Folder)).OfType<DeploymentLocation>().ToList()) is { } spatial)
        {
            descriptor["spatial"] = spatial;
        }

        var entry = zip.CreateEntry("datapackage.json", CompressionLevel.Optimal);
        await using var stream = entry.Open();
        await using var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        descriptor.WriteTo(writer);
        await writer.FlushAsync(cancellationToken);
    }

    /// <summary>GeoJSON of the deployments' locations: a point, or their bounding box; null without locations (the team adds it).</summary>
    private static JsonObject? Spatial(IReadOnlyList<DeploymentLocation> located)
    {
        if (located.Count == 0)
        {
            return null;
        }

        var (west, east) = (located.Min(l => l.Longitude), located.Max(l => l.Longitude));
        var (south, north) = (located.Min(l => l.Latitude), located.Max(l => l.Latitude));
        if (west == east || south == north)
        {
            return new JsonObject { ["type"] = "Point", ["coordinates"] = new JsonArray(located[0].Longitude, located[0].Latitude) };
        }

        JsonArray Corner(double x, double y) => new(x, y);
        return new JsonObject
        {
            ["type"] = "Polygon",
            ["coordinates"] = new JsonArray(new JsonArray(Corner(west, south), Corner(east, south), Corner(east, north), Corner(west, north), Corner(west, south))),
        };
    }

    private static async Task WriteCsvAsync(ZipArchive zip, string name, string[] columns, Func<CsvWriter, Task> rows, CancellationToken cancellationToken)
    {
        var entry = zip.CreateEntry(name, CompressionLevel.Optimal);
        await using var stream = entry.Open();
        await using var text = new StreamWriter(stream, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), 64 * 1024) { NewLine = "\r\n" };
        await using var csv = CsvWriter.Create(text, new CsvWriterOptions { FormatProvider = CultureInfo.InvariantCulture }, true);
        foreach (var column in columns)
        {
            Field(csv, column);
        }

        await csv.EndRecordAsync(cancellationToken);
        await rows(csv);
        await csv.FlushAsync(cancellationToken);
        cancellationToken.ThrowIfCancellationRequested();
    }

    private static void Field(CsvWriter csv, string? value) => csv.WriteField((value ?? "").AsSpan());

    /// <summary>The capture time with the file's offset, else the export's, else UTC; without one, the file's modification time (estimated).</summary>
    private static (DateTimeOffset Timestamp, bool Estimated) Timestamp(MediaSource row, TimeSpan? exportOffset)
    {
        if (row.CapturedAt is { } text && DateTime.TryParseExact(text, CaptureRecords.TimeFormat, CultureInfo.InvariantCulture, DateTimeStyles.None, out var wall))
        {
            var offset = row.UtcOffsetMinutes is { } minutes ? TimeSpan.FromMinutes(minutes) : exportOffset ?? TimeSpan.Zero;
            return (new DateTimeOffset(wall, offset), false);
        }

        return ((row.LastModified ?? row.UploadedAt ?? row.RegisteredAt).ToUniversalTime(), true);
    }

    private static string Format(DateTimeOffset value) => value.ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture);

    /// <summary>A stable id per object: the first 16 hex digits of the SHA-256 of its key.</summary>
    private static string MediaId(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)))[..16];

    /// <summary>A Data Package name: lower-case letters, digits, '-', '.', '_'.</summary>
    private static string Slug(string value)
    {
        var builder = new StringBuilder(value.Length);
        foreach (var c in value.ToLowerInvariant())
        {
            builder.Append(c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '.' or '_' or '-' ? c : '-');
        }

        var slug = builder.ToString().Trim('-');
        return slug.Length == 0 ? "camtrap-dp" : slug;
    }

    private sealed record MediaSource(string Key, string Path, long CycleId, DateTimeOffset? LastModified, DateTimeOffset? UploadedAt, DateTimeOffset RegisteredAt,
        string? CapturedAt, int? UtcOffsetMinutes, string? MediaType, string? Make, string? Model, string? Serial, string? Exif);

    /// <summary>Each media row's filePath: the plain object URL (no lifetime), or a presigned GET valid for the lifetime.</summary>
    private sealed class MediaUrls(Ferry.Core.Storage.IPresigningObjectStore store, TimeSpan? lifetime, DateTimeOffset now)
    {
        public string UrlOf(string key) => lifetime is { } valid ? store.PresignGet(key, now, valid).Url : store.ObjectUrl(key);
    }
}
