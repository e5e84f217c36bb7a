using System.Globalization;

namespace Ferry.Server.Camtrap;

/// <summary>One deployment (a sensor folder in a cycle) as its media rows are written: span, counts, majority camera.</summary>
internal sealed class DeploymentTally(string id, string cycle, string folder)
{
    private readonly Dictionary<string, int> _serials = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _models = new(StringComparer.Ordinal);

    public string Id { get; } = id;

    public string Cycle { get; } = cycle;

    public string Folder { get; } = folder;

    public DateTimeOffset Start { get; private set; } = DateTimeOffset.MaxValue;

    public DateTimeOffset End { get; private set; } = DateTimeOffset.MinValue;

    public int Media { get; private set; }

    /// <summary>Some media had no capture time in their headers: their time is the file's modification time.</summary>
    public bool TimestampIssues { get; private set; }

    public void Add(DateTimeOffset timestamp, bool estimated, string? serial, string? make, string? model)
    {
        Media++;
        Start = timestamp < Start ? timestamp : Start;
        End = timestamp > End ? timestamp : End;
        TimestampIssues |= estimated;
        Count(_serials, serial);
        Count(_models, (make, model) switch
        {
            (null, null) => null,
            (null, { } m) => m,
            ({ } k, null) => k,
            ({ } k, { } m) => m.StartsWith(k, StringComparison.OrdinalIgnoreCase) ? m : $"{k}-{m}",
        });
    }

    /// <summary>The serial most of its media carry (cameraID).</summary>
    public string? CameraId => Majority(_serials);

    /// <summary>Make-model most of its media carry (cameraModel, as Camtrap DP writes it: "Reconyx-HF2X").</summary>
    public string? CameraModel => Majority(_models);

    public string Comment => string.Create(CultureInfo.InvariantCulture, $"Ferry: sensor folder '{Folder}' of cycle '{Cycle}', {Media} media");

    private static void Count(Dictionary<string, int> counts, string? value)
    {
        if (value is not null)
        {
            counts[value] = counts.GetValueOrDefault(value) + 1;
        }
    }

    private static string? Majority(Dictionary<string, int> counts) =>
        counts.Count == 0 ? null : counts.OrderByDescending(p => p.Value).ThenBy(p => p.Key, StringComparer.Ordinal).First().Key;
}
