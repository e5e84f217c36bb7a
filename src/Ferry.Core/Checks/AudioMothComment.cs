using System.Globalization;
using System.Text.RegularExpressions;

namespace Ferry.Core.Checks;

/// <summary>
/// The comment AudioMoth firmware writes into every WAV (LIST/INFO ICMT):
/// <c>Recorded at 10:00:00 01/05/2026 (UTC) by AudioMoth 24F3190361DA7A27 at medium gain …</c>, the date day first,
/// the zone <c>(UTC)</c>, <c>(UTC+2)</c> or <c>(UTC-03:30)</c>. Hand-written: a few lines, and no library reads it.
/// </summary>
internal static partial class AudioMothComment
{
    public static CaptureMetadata? Parse(string? comment, int? sampleRate)
    {
        if (comment is null || Pattern().Match(comment) is not { Success: true } match)
        {
            return null;
        }

        if (!DateTime.TryParseExact(match.Groups["time"].Value + " " + match.Groups["date"].Value, "HH:mm:ss dd/MM/yyyy",
                CultureInfo.InvariantCulture, DateTimeStyles.None, out var recordedAt))
        {
            return null;
        }

        var offset = TimeSpan.Zero;
        if (match.Groups["zone"].Success)
        {
            var sign = match.Groups["sign"].Value == "-" ? -1 : 1;
            var hours = int.Parse(match.Groups["hours"].Value, CultureInfo.InvariantCulture);
            var minutes = match.Groups["minutes"].Success ? int.Parse(match.Groups["minutes"].Value, CultureInfo.InvariantCulture) : 0;
            offset = sign * new TimeSpan(hours, minutes, 0);
        }

        return new CaptureMetadata(recordedAt, offset, "Open Acoustic Devices", "AudioMoth", match.Groups["id"].Value, sampleRate);
    }

    [GeneratedRegex(@"Recorded at (?<time>\d{2}:\d{2}:\d{2}) (?<date>\d{2}/\d{2}/\d{4}) \(UTC(?<zone>(?<sign>[+-])(?<hours>\d{1,2})(?::?(?<minutes>\d{2}))?)?\) by AudioMoth (?<id>[0-9A-Fa-f]{16})", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();
}
