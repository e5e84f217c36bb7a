using System.Buffers.Binary;

namespace Ferry.Core.Checks;

/// <summary>
/// A JPEG's structure from its first and last bytes: start-of-image, then marker segments (each FFxx with a length
/// that fits the file) up to start-of-scan, then an end-of-image marker (FFD9) near the end. A cut copy loses the
/// end-of-image marker; a bad read breaks the marker sequence. The compressed image data itself is not decoded.
/// </summary>
internal static class JpegCheck
{
    /// <summary>How far back from the end an end-of-image marker is looked for (padding after it is common).</summary>
    public const int TailSearch = 4096;

    private const int MaxSegments = 512;

    /// <summary>The problem, or null when the structure holds; <paramref name="headerEnd"/> is where the image data starts (0 if unknown).</summary>
    public static (CheckProblem Problem, string Message)? Inspect(FileSample file, out long headerEnd)
    {
        headerEnd = 0;
        var head = file.Head;
        if (head.Length < 2 || head[0] != 0xFF || head[1] != 0xD8)
        {
            return (CheckProblem.Damaged, "not a JPEG: it does not start with the start-of-image marker FFD8");
        }

        long position = 2;
        for (var segment = 0; segment < MaxSegments; segment++)
        {
            var bytes = file.Read(position, 4);
            if (bytes.Length < 2)
            {
                return (CheckProblem.Truncated, $"the file ends at byte {file.Length} inside the JPEG header, before any image data");
            }

            if (bytes[0] != 0xFF)
            {
                return (CheckProblem.Damaged, $"broken JPEG marker sequence at byte {position}: expected FF, found {bytes[0]:X2}");
            }

            var marker = bytes[1];
            if (marker == 0xFF)
            {
                position++;
                continue;
            }

            if (marker is 0x01 or (>= 0xD0 and <= 0xD7))
            {
                position += 2;
                continue;
            }

            if (marker is 0x00 or 0xD8 or 0xD9)
            {
                return (CheckProblem.Damaged, $"broken JPEG marker sequence at byte {position}: marker FF{marker:X2} before the image data");
            }

            if (bytes.Length < 4)
            {
                return (CheckProblem.Truncated, $"the file ends at byte {file.Length} inside the JPEG header, before any image data");
            }

            var length = BinaryPrimitives.ReadUInt16BigEndian(bytes.AsSpan(2));
            if (length < 2)
            {
                return (CheckProblem.Damaged, $"broken JPEG marker sequence at byte {position}: segment FF{marker:X2} has length {length}");
            }

            var end = position + 2 + length;
            if (end > file.Length)
            {
                return (CheckProblem.Truncated, $"JPEG segment FF{marker:X2} at byte {position} needs {end} bytes, the file has {file.Length}");
            }

            position = end;
            if (marker == 0xDA)
            {
                headerEnd = position;
                return CheckEnd(file, position);
            }
        }

        return (CheckProblem.Damaged, $"broken JPEG: more than {MaxSegments} header segments without image data");
    }

    private static (CheckProblem, string)? CheckEnd(FileSample file, long imageStart)
    {
        var available = file.Length - imageStart;
        if (available < 2)
        {
            return (CheckProblem.Truncated, "no image data after the JPEG header");
        }

        var tail = file.Tail((int)Math.Min(TailSearch, available));
        if (tail.AsSpan().IndexOf([(byte)0xFF, (byte)0xD9]) >= 0)
        {
            return null;
        }

        var zeros = !tail.AsSpan().ContainsAnyExcept((byte)0);
        return (CheckProblem.Truncated, zeros
            ? $"no end-of-image marker (FFD9); the last {tail.Length} bytes are zero"
            : $"no end-of-image marker (FFD9) in the last {tail.Length} bytes");
    }
}
