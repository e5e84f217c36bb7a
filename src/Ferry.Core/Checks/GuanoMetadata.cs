using System.Globalization;

namespace Ferry.Core.Checks;

/// <summary>
/// GUANO (the bat-acoustics metadata standard, guano-md.org): a WAV <c>guan</c> chunk of UTF-8 <c>key: value</c> lines,
/// the first <c>GUANO|Version: 1.0</c>. Read here: <c>Timestamp</c> (ISO 8601, with or without an offset),
/// <c>Make</c>, <c>Model</c>, <c>Serial</c>, <c>Samplerate</c>. Hand-written: a few lines, no .NET library reads it.
/// </summary>
internal static class GuanoMetadata
{
    private static readonly string[] LocalFormats = ["yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd'T'HH:mm:ss.FFFFFF", "yyyy-MM-dd HH:mm:ss"];

    public static CaptureMetadata? Parse(string? text, int? sampleRate)
    {
        if (text is null || !text.StartsWith("GUANO|Version", StringComparison.Ordinal))
        {
            return null;
        }

        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in text.Split('\n'))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0)
            {
                fields.TryAdd(line[..colon].Trim(), line[(colon + 1)..].Trim());
            }
        }

        DateTime? capturedAt = null;
        TimeSpan? offset = null;
        if (fields.TryGetValue("Timestamp", out var timestamp))
        {
            if (DateTime.TryParseExact(timestamp, LocalFormats, CultureInfo.InvariantCulture, DateTimeStyles.None, out var local))
            {
                capturedAt = local;
            }
            else if (DateTimeOffset.TryParse(timestamp, CultureInfo.InvariantCulture, DateTimeStyles.None, out var zoned))
            {
                capturedAt = zoned.DateTime;
                offset = zoned.Offset;
            }
        }

        var rate = fields.TryGetValue("Samplerate", out var rateText) && int.TryParse(rateText, CultureInfo.InvariantCulture, out var parsed) ? parsed : sampleRate;
        return new CaptureMetadata(capturedAt, offset, Field(fields, "Make"), Field(fields, "Model"), Field(fields, "Serial"), rate);
    }

    private static string? Field(Dictionary<string, string> fields, string key) =>
        fields.TryGetValue(key, out var value) && value.Length > 0 ? value : null;
}
