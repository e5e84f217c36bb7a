using System.Globalization;

namespace Ferry.Server.Camtrap;

/// <summary>
/// What a Camtrap DP export covers and how it points at the media.
/// </summary>
/// <param name="CycleId">One cycle of the project; null exports every cycle.</param>
/// <param name="LocationsCsv">A CSV of deployment locations (<see cref="DeploymentLocations"/>); null leaves latitude and longitude empty.</param>
/// <param name="PresignHours">0: each media row's filePath is the object's plain S3 URL; 1–168: a presigned GET URL valid that many hours.</param>
/// <param name="UtcOffset">The offset of cameras whose files do not say theirs (EXIF has no zone); null writes their times as UTC.</param>
internal sealed record CamtrapExportOptions(long? CycleId, string? LocationsCsv, int PresignHours, TimeSpan? UtcOffset)
{
    /// <summary>The longest presigned lifetime S3 signs (SigV4: 7 days).</summary>
    public const int MaxPresignHours = 168;

    /// <summary>The largest locations CSV accepted, in characters.</summary>
    public const int MaxLocationsChars = 1024 * 1024;

    /// <summary>The options, or a one-line reason they are refused.</summary>
    public static (CamtrapExportOptions? Options, string? Problem) Create(long? cycleId, string? locationsCsv, int? presignHours, string? utcOffset)
    {
        if (presignHours is < 0 or > MaxPresignHours)
        {
            return (null, $"presign_hours must be 0 (plain S3 URLs) to {MaxPresignHours}");
        }

        if (locationsCsv?.Length > MaxLocationsChars)
        {
            return (null, $"the locations CSV is larger than {MaxLocationsChars:N0} characters");
        }

        TimeSpan? offset = null;
        if (!string.IsNullOrEmpty(utcOffset))
        {
            if (!TryParseOffset(utcOffset, out var parsed))
            {
                return (null, $"utc_offset must be +HH:MM or -HH:MM (between -14:00 and +14:00), not '{utcOffset}'");
            }

            offset = parsed;
        }

        return (new CamtrapExportOptions(cycleId, string.IsNullOrWhiteSpace(locationsCsv) ? null : locationsCsv, presignHours ?? 0, offset), null);
    }

    private static bool TryParseOffset(string value, out TimeSpan offset)
    {
        offset = default;
        if (value is "Z" or "z")
        {
            return true;
        }

        if (value.Length != 6 || value[0] is not ('+' or '-') || value[3] != ':'
            || !int.TryParse(value.AsSpan(1, 2), NumberStyles.None, CultureInfo.InvariantCulture, out var hours)
            || !int.TryParse(value.AsSpan(4, 2), NumberStyles.None, CultureInfo.InvariantCulture, out var minutes)
            || minutes >= 60 || hours * 60 + minutes > 14 * 60)
        {
            return false;
        }

        offset = new TimeSpan(hours, minutes, 0) * (value[0] == '-' ? -1 : 1);
        return true;
    }
}
