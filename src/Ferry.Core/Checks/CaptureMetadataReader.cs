using MetadataExtractor;
using MetadataExtractor.Formats.Exif;
using MetadataExtractor.Formats.Jpeg;
using MetadataExtractor.Formats.QuickTime;

namespace Ferry.Core.Checks;

/// <summary>
/// Capture time, device and serial from a file's headers: EXIF DateTimeOriginal, Make, Model and BodySerialNumber
/// (JPEG) and the movie header's creation time (MP4/MOV <c>mvhd</c>) through MetadataExtractor; AudioMoth's ICMT
/// comment and GUANO's <c>guan</c> chunk (WAV) by hand (<see cref="AudioMothComment"/>, <see cref="GuanoMetadata"/>).
/// Unreadable metadata is no metadata, never an exception: the structure checks report damage.
/// </summary>
internal static class CaptureMetadataReader
{
    private const int MaxJpegHeaderBytes = 1024 * 1024;
    private static readonly DateTime QuickTimeEpoch = new(1904, 1, 1);

    /// <summary>EXIF from the JPEG's header segments (bytes 0 to <paramref name="headerEnd"/>, the start of the image data).</summary>
    public static CaptureMetadata ReadJpeg(FileSample file, long headerEnd)
    {
        if (headerEnd <= 0 || headerEnd > MaxJpegHeaderBytes)
        {
            return CaptureMetadata.None;
        }

        try
        {
            using var header = new MemoryStream(file.Read(0, (int)headerEnd), writable: false);
            var directories = JpegMetadataReader.ReadMetadata(header, [new ExifReader()]);
            var ifd0 = directories.OfType<ExifIfd0Directory>().FirstOrDefault();
            var sub = directories.OfType<ExifSubIfdDirectory>().FirstOrDefault();
            DateTime? capturedAt = sub is not null && sub.TryGetDateTime(ExifDirectoryBase.TagDateTimeOriginal, out var original) ? original : null;
            return new CaptureMetadata(
                capturedAt,
                Make: Clean(ifd0?.GetString(ExifDirectoryBase.TagMake)),
                Model: Clean(ifd0?.GetString(ExifDirectoryBase.TagModel)),
                Serial: Clean(sub?.GetString(ExifDirectoryBase.TagBodySerialNumber)));
        }
        catch (Exception ex) when (ex is ImageProcessingException or IOException or ArgumentException or InvalidOperationException or FormatException or IndexOutOfRangeException)
        {
            return CaptureMetadata.None;
        }
    }

    /// <summary>The movie header's creation time (0, the 1904 epoch, means unset).</summary>
    public static CaptureMetadata ReadIsoBmff(string path)
    {
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 4096);
            var header = QuickTimeMetadataReader.ReadMetadata(stream).OfType<QuickTimeMovieHeaderDirectory>().FirstOrDefault();
            return header is not null && header.TryGetDateTime(QuickTimeMovieHeaderDirectory.TagCreated, out var created) && created > QuickTimeEpoch
                ? new CaptureMetadata(created)
                : CaptureMetadata.None;
        }
        catch (Exception ex) when (ex is ImageProcessingException or IOException or ArgumentException or InvalidOperationException or FormatException or IndexOutOfRangeException)
        {
            return CaptureMetadata.None;
        }
    }

    /// <summary>GUANO first (it has named fields), then AudioMoth's comment, else only the sample rate.</summary>
    public static CaptureMetadata ReadWav(WavHeader header) =>
        GuanoMetadata.Parse(header.Guano, header.SampleRate)
        ?? AudioMothComment.Parse(header.Comment, header.SampleRate)
        ?? new CaptureMetadata(null, SampleRate: header.SampleRate);

    private static string? Clean(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim().TrimEnd('\0');
}
