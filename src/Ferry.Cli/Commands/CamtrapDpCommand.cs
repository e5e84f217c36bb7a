using Ferry.Client;
using Ferry.Client.Contracts;
using System.CommandLine;
using System.Globalization;
using System.IO.Compression;
using System.Net;
using Ferry.Cli.Server;

namespace Ferry.Cli.Commands;

/// <summary>
/// <c>ferry camtrap-dp export --server URL --project P [--cycle C] [--locations CSV] [--presign-hours N] [--utc-offset +HH:MM] OUT</c>:
/// asks a Ferry server (after <c>ferry login URL</c>) for the project's uploaded media as a Camtrap DP 1.0 package and
/// writes it to OUT — a zip when OUT ends in <c>.zip</c>, else a new (or empty) folder with datapackage.json,
/// deployments.csv, media.csv and observations.csv. OUT appears whole or not at all: the package is written beside it
/// and moved into place.
/// </summary>
internal sealed class CamtrapDpCommand
{
    private const string Help = "\n\nExit codes:\n  0    the package was written to OUT\n  1    the server could not make it (no uploaded media, a server error) or the download broke off; OUT is untouched\n  2    usage error, not signed in, server unreachable, unknown project or cycle, a locations CSV the server refused, or OUT exists and is not empty\n  130  interrupted; OUT is untouched";

    private readonly Option<string> _server = new("--server") { Description = "The Ferry server (after 'ferry login URL')", Required = true };
    private readonly Option<string> _project = new("--project") { Description = "The project (name or id)", Required = true };
    private readonly Option<string?> _cycle = new("--cycle") { Description = "Only this cycle (default: every cycle of the project)" };
    private readonly Option<string?> _locations = new("--locations") { Description = "A CSV of deployment locations: deploymentID (cycle/folder) or folder, latitude, longitude[, locationID, locationName, coordinateUncertainty]" };
    private readonly Option<int> _presignHours = new("--presign-hours") { Description = "0: filePath is the object's S3 URL (default); 1-168: a presigned GET URL valid that many hours, but no longer than the server allows and your sign-in lasts (the package's description says until when)", DefaultValueFactory = _ => 0 };
    private readonly Option<string?> _utcOffset = new("--utc-offset") { Description = "The cameras' UTC offset, e.g. +02:00, for files that do not say theirs (EXIF has no zone; default UTC)" };
    private readonly Argument<string> _out = new("OUT") { Description = "Where to write the package: a .zip file, or a new or empty folder" };

    public Command Build()
    {
        var command = new Command("camtrap-dp", "Camera-trap data packages (Camtrap DP 1.0, https://camtrap-dp.tdwg.org) from a Ferry server." + Help);
        command.Subcommands.Add(new Command("export", "Write a project's (or one cycle's) uploaded media as a Camtrap DP 1.0 package: deployments per sensor folder and cycle, one media row per file, an empty observations table." + Help).With(_server, _project, _cycle, _locations, _presignHours, _utcOffset, _out).Runs((parse, cancellationToken) => ExportAsync(parse, cancellationToken)));
        return command;
    }

    private async Task<int> ExportAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        var presignHours = parse.GetValue(_presignHours);
        if (presignHours is < 0 or > 168)
        {
            throw CliException.Usage($"--presign-hours {presignHours} is out of range; use 0 (plain S3 URLs) to 168 (7 days, the longest S3 signs)");
        }

        var output = Path.GetFullPath(parse.GetValue(_out)!);
        var asZip = output.EndsWith(".zip", StringComparison.OrdinalIgnoreCase);
        CheckOutput(output, asZip);
        string? locations = null;
        if (parse.GetValue(_locations) is { } locationsPath)
        {
            try
            {
                locations = await File.ReadAllTextAsync(locationsPath, cancellationToken);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw CliException.Usage($"cannot read the locations CSV {locationsPath}: {ex.Message}");
            }
        }

        using var api = SignedInServer.Connect(parse.GetValue(_server)!, TimeProvider.System, TimeSpan.FromMinutes(30));
        var staging = Path.Combine(Path.GetDirectoryName(output)!, $".{Path.GetFileName(output)}.ferry-{Guid.NewGuid():N}");
        var zip = staging + ".zip";
        try
        {
            long projectId;
            long? cycleId = null;
            try
            {
                (projectId, cycleId) = await FindAsync(api, parse.GetValue(_project)!, parse.GetValue(_cycle), cancellationToken);
                await using var file = new FileStream(zip, FileMode.CreateNew, FileAccess.Write, FileShare.None, 64 * 1024, useAsync: true);
                await api.DownloadAsync($"api/projects/{projectId}/camtrap-dp",
                    new CamtrapExportRequest(cycleId, locations, presignHours, parse.GetValue(_utcOffset)), file, cancellationToken);
            }
            catch (FerryApiException ex) when (ex.Status is HttpStatusCode.Conflict || (int?)ex.Status >= 500)
            {
                throw new CliException(ExitCodes.SomeFailed, ex.Message);
            }
            catch (FerryApiException ex)
            {
                throw CliException.Usage(ex.Message);
            }
            catch (HttpRequestException ex)
            {
                throw new CliException(ExitCodes.SomeFailed, $"the download from {api.Server.GetLeftPart(UriPartial.Authority)} broke off: {ex.Message}; OUT is untouched, run the command again");
            }

            int media;
            try
            {
                media = Place(zip, staging, output, asZip);
            }
            catch (InvalidDataException ex)
            {
                throw new CliException(ExitCodes.SomeFailed, $"the server's package is not a readable zip ({ex.Message}); OUT is untouched");
            }

            Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Wrote a Camtrap DP 1.0 package with {media} media to {output}") +
                (locations is null ? " (latitude and longitude are empty: fill them in deployments.csv, or export again with --locations)" : ""));
            return ExitCodes.Success;
        }
        finally
        {
            File.Delete(zip);
            if (Directory.Exists(staging))
            {
                Directory.Delete(staging, recursive: true);
            }
        }
    }

    /// <summary>OUT must be a new file (zip) or a new or empty folder; its parent must exist.</summary>
    private static void CheckOutput(string output, bool asZip)
    {
        if (!Directory.Exists(Path.GetDirectoryName(output)))
        {
            throw CliException.Usage($"the folder {Path.GetDirectoryName(output)} does not exist; create it first");
        }

        if (asZip ? File.Exists(output) || Directory.Exists(output) : File.Exists(output) || (Directory.Exists(output) && Directory.EnumerateFileSystemEntries(output).Any()))
        {
            throw CliException.Usage($"{output} already exists{(asZip ? "" : " and is not empty")}; choose a new OUT or remove it");
        }
    }

    /// <summary>Moves the downloaded zip (or its contents, extracted beside OUT) into place; returns the number of media rows.</summary>
    private static int Place(string zip, string staging, string output, bool asZip)
    {
        int media;
        using (var archive = ZipFile.OpenRead(zip))
        {
            var entry = archive.GetEntry("media.csv") ?? throw new InvalidDataException("no media.csv in it");
            using var reader = new StreamReader(entry.Open());
            media = -1; // the header
            while (reader.ReadLine() is not null)
            {
                media++;
            }
        }

        if (asZip)
        {
            File.Move(zip, output);
            return media;
        }

        ZipFile.ExtractToDirectory(zip, staging);
        if (Directory.Exists(output))
        {
            Directory.Delete(output); // empty, checked before the download
        }

        Directory.Move(staging, output);
        return media;
    }

    private static async Task<(long Project, long? Cycle)> FindAsync(FerryApiClient api, string project, string? cycle, CancellationToken cancellationToken)
    {
        if (cycle is not null)
        {
            var (p, c) = await ServerProjects.FindAsync(api, project, cycle, cancellationToken);
            return (p.Id, c.Id);
        }

        var projects = await api.ProjectsAsync(cancellationToken);
        var chosen = projects.FirstOrDefault(p => p.Name == project) ?? projects.FirstOrDefault(p => p.Id.ToString(CultureInfo.InvariantCulture) == project)
            ?? throw CliException.Usage($"the server has no project '{project}' in your company; known: {(projects.Count == 0 ? "none" : string.Join(", ", projects.Take(10).Select(p => p.Name)))}");
        return (chosen.Id, null);
    }
}
