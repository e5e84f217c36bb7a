using System.Globalization;

namespace Ferry.Core.Checks;

/// <summary>
/// A deployment window <c>FROM..TO</c>, each end a date (<c>2026-05-01</c>, TO meaning the end of that day) or a date and
/// time (<c>2026-05-01T06:00</c>). Capture times are compared as their device wrote them (wall-clock time, no zone
/// conversion): a camera's clock knows no zone, and a window is days wide.
/// </summary>
public sealed record CaptureWindow(DateTime From, DateTime To)
{
    private static readonly string[] DateTimeFormats = ["yyyy-MM-dd'T'HH:mm", "yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd HH:mm", "yyyy-MM-dd HH:mm:ss"];

    public bool Contains(DateTime wallClock) => wallClock >= From && wallClock <= To;

    /// <summary>Reads <c>FROM..TO</c>; a malformed or reversed window is a <see cref="FormatException"/> naming the problem.</summary>
    public static CaptureWindow Parse(string text)
    {
        var parts = text.Split("..");
        if (parts.Length != 2 || parts[0].Length == 0 || parts[1].Length == 0)
        {
            throw new FormatException($"the window '{text}' is not FROM..TO (e.g. 2026-05-01..2026-06-15)");
        }

        var from = ParseEnd(parts[0].Trim(), endOfDay: false);
        var to = ParseEnd(parts[1].Trim(), endOfDay: true);
        if (to < from)
        {
            throw new FormatException($"the window '{text}' ends before it starts");
        }

        return new CaptureWindow(from, to);
    }

    private static DateTime ParseEnd(string text, bool endOfDay)
    {
        if (DateTime.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
        {
            return endOfDay ? day.AddDays(1).AddTicks(-1) : day;
        }

        if (DateTime.TryParseExact(text, DateTimeFormats, CultureInfo.InvariantCulture, DateTimeStyles.None, out var moment))
        {
            return moment;
        }

        throw new FormatException($"'{text}' is not a date (YYYY-MM-DD) or date and time (YYYY-MM-DDTHH:MM)");
    }

    public override string ToString() =>
        $"{From.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)}..{To.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)}";
}
