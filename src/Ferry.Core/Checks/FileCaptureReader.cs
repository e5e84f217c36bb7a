using System.Globalization;
using MetadataExtractor;
using MetadataExtractor.Formats.Exif;
using MetadataExtractor.Formats.Jpeg;

namespace Ferry.Core.Checks;

/// <summary>
/// Reads a file's <see cref="FileCapture"/> from its headers, as <c>ferry check</c> does (<see cref="MediaInspector"/>:
/// the first bytes, box or chunk headers, the last bytes — never the whole file), plus a bounded EXIF subset for
/// JPEGs (MetadataExtractor stops at the start of the image data). Files that are not media by extension or first
/// bytes are not opened beyond the check's sample. Never throws for unreadable or damaged files: it returns
/// <see cref="FileCapture"/> with what it could read, or null when the file cannot be opened.
/// </summary>
public static class FileCaptureReader
{
    private const int ExifHeaderBytes = 128 * 1024;
    private const int TagOffsetTimeOriginal = 0x9011;

    /// <summary>EXIF tags never kept: binary or free-form blobs that say nothing for an export.</summary>
    private static readonly HashSet<int> Skipped =
    [
        0x927C, // MakerNote
        0x9286, // UserComment
        0xC4A5, // PrintIM
        0x8769, // Exif IFD offset
        0x8825, // GPS IFD offset
        0xA005, // Interoperability IFD offset
        0x9000, // ExifVersion
        0xA000, // FlashpixVersion
        0x9101, // ComponentsConfiguration
        0xA300, // FileSource
        0xA301, // SceneType
        0xA302, // CFAPattern
        0x828E, // CFAPattern (TIFF/EP)
        0x8773, // ICC profile
        0x02BC, // ApplicationNotes (XMP)
        0x9C9C, // XPComment
    ];

    /// <summary>The capture record of one file; null when it cannot be read at all (gone, no permission) or is neither media nor dated.</summary>
    public static FileCapture? Read(string fullPath)
    {
        FileInspection inspection;
        try
        {
            inspection = MediaInspector.Inspect(fullPath);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // A file no check foresaw gets no capture record; the upload goes on (the check reports it).
            return new FileCapture(null, null, MediaTypeOf(fullPath, MediaKind.Other), null, null, null, null);
        }

        var metadata = inspection.Metadata;
        IReadOnlyDictionary<string, string>? exif = null;
        var offset = metadata.UtcOffset;
        if (inspection.Kind == MediaKind.Jpeg && inspection.Problem is null)
        {
            (exif, var exifOffset) = ReadExif(fullPath);
            offset ??= exifOffset;
        }

        var mediaType = MediaTypeOf(fullPath, inspection.Kind);
        if (mediaType is null && metadata.CapturedAt is null)
        {
            return null;
        }

        return new FileCapture(
            metadata.CapturedAt,
            offset,
            mediaType,
            Bound(metadata.Make),
            Bound(metadata.Model),
            Bound(metadata.Serial),
            exif);
    }

    /// <summary>The media type by extension, else by the kind the first bytes showed; null for what is not image, audio or video.</summary>
    public static string? MediaTypeOf(string path, MediaKind kind)
    {
        var byExtension = Path.GetExtension(path).ToLowerInvariant() switch
        {
            ".jpg" or ".jpeg" or ".jpe" => "image/jpeg",
            ".png" => "image/png",
            ".tif" or ".tiff" => "image/tiff",
            ".heic" => "image/heic",
            ".wav" or ".wave" => "audio/wav",
            ".flac" => "audio/flac",
            ".mp3" => "audio/mpeg",
            ".m4a" => "audio/mp4",
            ".mp4" or ".m4v" => "video/mp4",
            ".mov" or ".qt" => "video/quicktime",
            ".3gp" => "video/3gpp",
            ".avi" => "video/x-msvideo",
            _ => null,
        };
        return byExtension ?? kind switch
        {
            MediaKind.Jpeg => "image/jpeg",
            MediaKind.Wav => "audio/wav",
            MediaKind.IsoBmff => "video/mp4",
            MediaKind.Avi => "video/x-msvideo",
            _ => null,
        };
    }

    private static (IReadOnlyDictionary<string, string>? Tags, TimeSpan? Offset) ReadExif(string fullPath)
    {
        try
        {
            // The EXIF segment (APP1, at most 64 KiB) comes first in camera JPEGs: the first bytes hold it, never the image data.
            using var stream = new FileStream(fullPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 4096);
            var buffer = new byte[(int)Math.Min(stream.Length, ExifHeaderBytes)];
            stream.ReadExactly(buffer);
            using var header = new MemoryStream(buffer, writable: false);
            var directories = JpegMetadataReader.ReadMetadata(header, [new ExifReader()]);
            var tags = new SortedDictionary<string, string>(StringComparer.Ordinal);
            TimeSpan? offset = null;
            var chars = 0;
            foreach (var directory in directories.Where(d => d is ExifIfd0Directory or ExifSubIfdDirectory or GpsDirectory))
            {
                foreach (var tag in directory.Tags)
                {
                    if (tags.Count >= FileCapture.MaxExifTags || Skipped.Contains(tag.Type) || tag.Description is not { Length: > 0 } description)
                    {
                        continue;
                    }

                    var (name, value) = (Bound(tag.Name)!, Bound(description)!);
                    if (chars + name.Length + value.Length <= FileCapture.MaxExifChars && tags.TryAdd(name, value))
                    {
                        chars += name.Length + value.Length;
                    }
                }

                if (directory is ExifSubIfdDirectory && directory.GetString(TagOffsetTimeOriginal) is { } zone)
                {
                    offset = ParseOffset(zone);
                }
            }

            return (tags.Count == 0 ? null : tags, offset);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Damaged or cut EXIF is no EXIF: the upload goes on, and the check reports the damage.
            return (null, null);
        }
    }

    /// <summary>EXIF OffsetTimeOriginal: "+02:00" / "-05:30"; anything else is no offset.</summary>
    private static TimeSpan? ParseOffset(string value)
    {
        value = value.Trim().TrimEnd('\0');
        if (value.Length == 6 && value[0] is '+' or '-' && value[3] == ':'
            && int.TryParse(value.AsSpan(1, 2), NumberStyles.None, CultureInfo.InvariantCulture, out var hours)
            && int.TryParse(value.AsSpan(4, 2), NumberStyles.None, CultureInfo.InvariantCulture, out var minutes)
            && hours <= 14 && minutes < 60)
        {
            var span = new TimeSpan(hours, minutes, 0);
            return value[0] == '-' ? -span : span;
        }

        return null;
    }

    private static string? Bound(string? value)
    {
        if (value is null)
        {
            return null;
        }

        value = value.Trim().TrimEnd('\0');
        return value.Length == 0 ? null : value.Length <= FileCapture.MaxText ? value : value[..FileCapture.MaxText];
    }
}
