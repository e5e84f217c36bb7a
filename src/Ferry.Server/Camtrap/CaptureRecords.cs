using System.Globalization;
using System.Text.Json;
using Ferry.Core.Checks;
using Ferry.Server.Sessions;

namespace Ferry.Server.Camtrap;

/// <summary>
/// Capture metadata per session file (<see cref="SessionFileCapture"/>): checked and bounded when a client sends it,
/// saved in the registration's transaction, read back by the Camtrap DP export.
/// </summary>
internal static class CaptureRecords
{
    /// <summary>The request body allowance for one file's capture, added to each registered file's allowance.</summary>
    public const long MaxBytes = 4096;

    public const string TimeFormat = "yyyy-MM-ddTHH:mm:ss";

    /// <summary>A client's capture fields as a <see cref="FileCapture"/>, or the reason they are refused (one line).</summary>
    public static (FileCapture? Capture, string? Problem) Parse(string? capturedAt, int? utcOffsetMinutes, string? mediaType, string? make, string? model, string? serial, IReadOnlyDictionary<string, string>? exif)
    {
        DateTime? time = null;
        if (capturedAt is not null)
        {
            if (!DateTime.TryParseExact(capturedAt, TimeFormat, CultureInfo.InvariantCulture, DateTimeStyles.None, out var parsed))
            {
                return (null, $"capture.captured_at must be {TimeFormat}");
            }

            time = parsed;
        }

        if (utcOffsetMinutes is < -14 * 60 or > 14 * 60)
        {
            return (null, "capture.utc_offset_minutes must be between -840 and 840");
        }

        foreach (var (name, value) in new[] { ("media_type", mediaType), ("make", make), ("model", model), ("serial", serial) })
        {
            if (value?.Length > FileCapture.MaxText)
            {
                return (null, $"capture.{name} is longer than {FileCapture.MaxText} characters");
            }
        }

        if (mediaType is not null && !IsMediaType(mediaType))
        {
            return (null, "capture.media_type must be type/subtype");
        }

        if (exif is not null && (exif.Count > FileCapture.MaxExifTags || exif.Sum(t => t.Key.Length + (t.Value?.Length ?? 0)) > FileCapture.MaxExifChars || exif.Values.Any(v => v is null)))
        {
            return (null, $"capture.exif takes at most {FileCapture.MaxExifTags} tags and {FileCapture.MaxExifChars:N0} characters of names and values");
        }

        var offset = utcOffsetMinutes is { } minutes ? TimeSpan.FromMinutes(minutes) : (TimeSpan?)null;
        return (new FileCapture(time, offset, mediaType, make, model, serial, exif is { Count: > 0 } ? exif : null), null);
    }

    /// <summary>Records the capture of each file that has one, replacing what an earlier registration of the same path recorded.</summary>
    public static async Task SaveAsync(FerryDbContext db, long sessionId, IReadOnlyList<FileToRegister> files, CancellationToken cancellationToken)
    {
        var captured = files.Where(f => f.Capture is not null).ToList();
        if (captured.Count == 0)
        {
            return;
        }

        var paths = captured.Select(f => f.Path).ToList();
        await db.SessionFileCaptures.Where(c => c.SessionId == sessionId && paths.Contains(c.Path)).ExecuteDeleteAsync(cancellationToken);
        var rows = captured.Select(f => ToRow(sessionId, f.Path, f.Capture!)).ToList();
        db.SessionFileCaptures.AddRange(rows);
        await db.SaveChangesAsync(cancellationToken);
        foreach (var row in rows)
        {
            db.Entry(row).State = EntityState.Detached; // only these: the caller's tracked rows stay as they were
        }
    }

    public static SessionFileCapture ToRow(long sessionId, string path, FileCapture capture) => new()
    {
        SessionId = sessionId,
        Path = path,
        CapturedAt = capture.CapturedAt?.ToString(TimeFormat, CultureInfo.InvariantCulture),
        UtcOffsetMinutes = capture.UtcOffset is { } offset ? (int)offset.TotalMinutes : null,
        MediaType = capture.MediaType,
        Make = capture.Make,
        Model = capture.Model,
        Serial = capture.Serial,
        Exif = capture.Exif is { Count: > 0 } exif ? JsonSerializer.Serialize(exif) : null,
    };

    private static bool IsMediaType(string value)
    {
        var slash = value.IndexOf('/', StringComparison.Ordinal);
        return slash > 0 && slash < value.Length - 1 && value.IndexOf('/', slash + 1) < 0 && !value.Any(char.IsWhiteSpace);
    }
}
