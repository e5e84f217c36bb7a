namespace Ferry.Core.Checks;

/// <summary>When and with what a file was captured, as far as its headers say.</summary>
/// <param name="CapturedAt">The capture time as the device's clock wrote it (wall-clock time).</param>
/// <param name="UtcOffset">The clock's offset from UTC when the file says it (AudioMoth, GUANO with an offset); null when unknown (EXIF, MP4).</param>
/// <param name="Make">Camera or recorder maker.</param>
/// <param name="Model">Camera or recorder model.</param>
/// <param name="Serial">Camera body serial (EXIF BodySerialNumber) or recorder id (AudioMoth, GUANO Serial).</param>
/// <param name="SampleRate">Audio sample rate in Hz (WAV).</param>
public sealed record CaptureMetadata(
    DateTime? CapturedAt,
    TimeSpan? UtcOffset = null,
    string? Make = null,
    string? Model = null,
    string? Serial = null,
    int? SampleRate = null)
{
    public static readonly CaptureMetadata None = new((DateTime?)null);
}
