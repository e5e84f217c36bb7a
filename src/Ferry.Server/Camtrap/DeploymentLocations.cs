using System.Globalization;
using CsvHelper;

namespace Ferry.Server.Camtrap;

/// <summary>
/// The user's locations CSV (read with CsvHelper): a header row, then one row per deployment or sensor folder.
/// Columns: <c>deploymentID</c> (as the export names it, <c>cycle/folder</c>) or <c>folder</c> (the sensor folder, in
/// every cycle); <c>latitude</c> and <c>longitude</c> (decimal degrees, WGS84); optional <c>locationID</c>,
/// <c>locationName</c> and <c>coordinateUncertainty</c> (whole metres, ≥ 1). A row that names no deployment of the
/// export is refused, so a typo is not silently a deployment without a location.
/// </summary>
internal sealed class DeploymentLocations
{
    private readonly Dictionary<string, (DeploymentLocation Location, int Line)> _byDeployment = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (DeploymentLocation Location, int Line)> _byFolder = new(StringComparer.Ordinal);

    public static DeploymentLocations None { get; } = new();

    /// <summary>The locations, or a one-line reason the CSV is refused (with its line number).</summary>
    public static (DeploymentLocations? Locations, string? Problem) Parse(string csv)
    {
        var result = new DeploymentLocations();
        using var reader = CsvReader.FromText(csv, new CsvReaderOptions { TrimWhitespace = true, TrackLineNumbers = true, FormatProvider = CultureInfo.InvariantCulture });
        try
        {
            var header = reader.Headers;
            if (header.Count == 0)
            {
                return (null, "the locations CSV has no header row");
            }

            var byDeployment = header.Contains("deploymentID", StringComparer.Ordinal);
            var byFolder = header.Contains("folder", StringComparer.Ordinal);
            if (byDeployment == byFolder || !header.Contains("latitude", StringComparer.Ordinal) || !header.Contains("longitude", StringComparer.Ordinal))
            {
                return (null, "the locations CSV needs a deploymentID or a folder column (one of them) and latitude and longitude columns");
            }

            while (reader.Read())
            {
                var line = (int)reader.LineNumber;
                var name = Optional(reader, byDeployment ? "deploymentID" : "folder")?.Trim('/');
                if (string.IsNullOrEmpty(name))
                {
                    return (null, $"locations CSV line {line}: no {(byDeployment ? "deploymentID" : "folder")}");
                }

                if (!TryNumber(Optional(reader, "latitude"), -90, 90, out var latitude) || !TryNumber(Optional(reader, "longitude"), -180, 180, out var longitude))
                {
                    return (null, $"locations CSV line {line}: latitude must be a number from -90 to 90 and longitude from -180 to 180");
                }

                int? uncertainty = null;
                if (Optional(reader, "coordinateUncertainty") is { } text)
                {
                    if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var metres) || metres < 1)
                    {
                        return (null, $"locations CSV line {line}: coordinateUncertainty must be a whole number of metres, at least 1");
                    }

                    uncertainty = metres;
                }

                var location = new DeploymentLocation(latitude, longitude, Optional(reader, "locationID"), Optional(reader, "locationName"), uncertainty);
                var target = byDeployment ? result._byDeployment : result._byFolder;
                if (!target.TryAdd(name, (location, line)))
                {
                    return (null, $"locations CSV line {line}: '{name}' is listed twice");
                }
            }
        }
        catch (CsvFormatException ex)
        {
            return (null, $"the locations CSV cannot be read: {ex.Message.Split('\n')[0]}");
        }

        return (result, null);
    }

    /// <summary>The location of a deployment: by its id, else by its folder.</summary>
    public DeploymentLocation? Find(string deploymentId, string folder) =>
        _byDeployment.TryGetValue(deploymentId, out var byId) ? byId.Location
        : _byFolder.TryGetValue(folder, out var byFolder) ? byFolder.Location
        : null;

    /// <summary>A one-line problem when a row names no deployment of the export; else null.</summary>
    public string? Unmatched(IReadOnlyCollection<(string DeploymentId, string Folder)> deployments)
    {
        var ids = deployments.Select(d => d.DeploymentId).ToHashSet(StringComparer.Ordinal);
        var folders = deployments.Select(d => d.Folder).ToHashSet(StringComparer.Ordinal);
        foreach (var (name, (_, line)) in _byDeployment.Where(p => !ids.Contains(p.Key)).Concat(_byFolder.Where(p => !folders.Contains(p.Key))).OrderBy(p => p.Value.Line))
        {
            return $"locations CSV line {line}: '{name}' is no deployment of this export (deployments are cycle/folder, e.g. '{deployments.FirstOrDefault().DeploymentId}')";
        }

        return null;
    }

    private static string? Optional(CsvReader reader, string column) =>
        reader.TryGetFieldIndex(column, out var index) && index < reader.FieldCount && reader.GetStringOrNull(index) is { Length: > 0 } value ? value : null;

    private static bool TryNumber(string? text, double minimum, double maximum, out double value) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value) && double.IsFinite(value) && value >= minimum && value <= maximum;
}
