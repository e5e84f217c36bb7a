using System.Globalization;

namespace Ferry.Core;

/// <summary>
/// The ways Ferry writes a point in time, always in UTC and the invariant culture, so that the journal, audit bundles,
/// exports, file names and messages agree. ("O", the round-trip format with the offset, is used as it is.)
/// </summary>
public static class Timestamps
{
    /// <summary><c>2026-11-30T10:11:38.123Z</c>: ISO 8601 in UTC with milliseconds (journal, audit bundles, record exports).</summary>
    public static string Iso(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    /// <summary><c>2026-11-30T10:11:38Z</c>: ISO 8601 in UTC to the second (package metadata, expiry headers, S3 POST policies).</summary>
    public static string IsoSeconds(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary><c>20261130_101138</c>: UTC to the second, sortable and safe in a file or object name.</summary>
    public static string FileName(DateTimeOffset at) => at.UtcDateTime.ToString("yyyyMMdd'_'HHmmss", CultureInfo.InvariantCulture);

    /// <summary><c>2026-11-30 10:11 UTC</c>: to the minute, for a sentence a person reads.</summary>
    public static string ForPeople(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) + " UTC";
}
