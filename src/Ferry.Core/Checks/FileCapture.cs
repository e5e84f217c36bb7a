namespace Ferry.Core.Checks;

/// <summary>
/// What a media file says about its capture, recorded with the file when it is registered on a server, so an export
/// (Camtrap DP) needs no second read of the object. Every string is bounded (<see cref="MaxText"/>), the EXIF subset
/// to <see cref="MaxExifTags"/> tags of at most <see cref="MaxText"/> characters each and <see cref="MaxExifChars"/> in all.
/// </summary>
/// <param name="CapturedAt">The capture time as the device's clock wrote it (wall-clock, no zone); null when the file says none.</param>
/// <param name="UtcOffset">The clock's offset from UTC when the file says it (EXIF OffsetTimeOriginal, AudioMoth, GUANO); else null.</param>
/// <param name="MediaType">The IANA media type (image/jpeg, audio/wav, video/mp4, video/quicktime, video/x-msvideo, …); null when not media.</param>
/// <param name="Make">Camera or recorder maker.</param>
/// <param name="Model">Camera or recorder model.</param>
/// <param name="Serial">Camera body serial or recorder id.</param>
/// <param name="Exif">A subset of the EXIF tags (JPEG), by tag name, as MetadataExtractor describes them; null when none.</param>
public sealed record FileCapture(
    DateTime? CapturedAt,
    TimeSpan? UtcOffset,
    string? MediaType,
    string? Make,
    string? Model,
    string? Serial,
    IReadOnlyDictionary<string, string>? Exif)
{
    /// <summary>The longest make, model, serial, media type or EXIF value kept; longer ones are cut.</summary>
    public const int MaxText = 200;

    /// <summary>The most EXIF tags kept per file.</summary>
    public const int MaxExifTags = 40;

    /// <summary>The most characters of EXIF tag names and values kept per file (a tag past it is left out).</summary>
    public const int MaxExifChars = 2048;
}
