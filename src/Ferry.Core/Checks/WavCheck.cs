using System.Buffers.Binary;
using System.Text;

namespace Ferry.Core.Checks;

/// <summary>
/// A WAV file's structure from its chunk headers: the RIFF size against the file length, a <c>fmt </c> chunk that
/// is PCM (1), IEEE float (3) or WAVE_FORMAT_EXTENSIBLE (FFFE) with self-consistent numbers, and a <c>data</c> chunk
/// whose declared size fits the file. On the way it keeps the sample rate and the comment chunks recorders write:
/// LIST/INFO <c>ICMT</c> and <c>IART</c> (AudioMoth) and <c>guan</c> (GUANO). RF64 files (over 4 GiB) are not checked.
/// </summary>
internal static class WavCheck
{
    private const int MaxChunks = 256;
    private const int MaxCommentBytes = 64 * 1024;

    public static (CheckProblem Problem, string Message)? Inspect(FileSample file, out WavHeader header)
    {
        header = new WavHeader();
        var head = file.Head;
        if (head.Length >= 4 && RiffChunk.FourCc(head) is "RF64" or "BW64")
        {
            return null;
        }

        if (head.Length < 12 || RiffChunk.FourCc(head) != "RIFF" || RiffChunk.FourCc(head[8..]) != "WAVE")
        {
            return (CheckProblem.Damaged, "not a WAV file: it does not start with RIFF....WAVE");
        }

        var riffEnd = 8L + BinaryPrimitives.ReadUInt32LittleEndian(head[4..]);
        (CheckProblem, string)? sizeProblem = null;
        if (riffEnd > file.Length)
        {
            sizeProblem = (CheckProblem.Truncated, $"the RIFF header declares {riffEnd} bytes, the file has {file.Length}");
        }
        else if (riffEnd < file.Length - 1)
        {
            sizeProblem = (CheckProblem.Damaged, $"RIFF size disagrees with the file: the header declares {riffEnd} bytes, the file has {file.Length} (a header never finalized, or bytes appended)");
        }

        RiffChunk? data = null;
        var sawFormat = false;
        long position = 12;
        for (var count = 0; count < MaxChunks && position < Math.Min(riffEnd, file.Length); count++)
        {
            if (RiffChunk.ReadAt(file, position) is not { } chunk)
            {
                if (file.Length - position > 1)
                {
                    return (CheckProblem.Truncated, $"a chunk header at byte {position} is cut off");
                }

                break;
            }

            if (!RiffChunk.IsPrintable(Encoding.Latin1.GetBytes(chunk.Id)))
            {
                return sizeProblem ?? (CheckProblem.Damaged, $"broken WAV chunk sequence at byte {position}: not a chunk header");
            }

            switch (chunk.Id)
            {
                case "fmt ":
                    if (CheckFormat(file, chunk, header) is { } formatProblem)
                    {
                        return formatProblem;
                    }

                    sawFormat = true;
                    break;
                case "data":
                    data = chunk;
                    break;
                case "LIST":
                    ReadInfo(file, chunk, header);
                    break;
                case "guan":
                    header.Guano = ReadText(file, chunk.BodyOffset, chunk.Size);
                    break;
            }

            if (chunk.BodyOffset + chunk.Size > file.Length)
            {
                return chunk.Id == "data"
                    ? (CheckProblem.Truncated, $"the data chunk declares {chunk.Size} bytes of audio, the file holds {file.Length - chunk.BodyOffset}")
                    : (CheckProblem.Truncated, $"chunk '{chunk.Id}' at byte {chunk.Offset} declares {chunk.Size} bytes, the file ends before");
            }

            position = chunk.End;
        }

        if (!sawFormat)
        {
            return (CheckProblem.Damaged, "damaged WAV: no 'fmt ' chunk");
        }

        if (data is null)
        {
            return (CheckProblem.Damaged, "damaged WAV: no 'data' chunk");
        }

        return sizeProblem;
    }

    private static (CheckProblem, string)? CheckFormat(FileSample file, RiffChunk chunk, WavHeader header)
    {
        if (chunk.Size < 16)
        {
            return (CheckProblem.Damaged, $"damaged WAV: the 'fmt ' chunk is {chunk.Size} bytes, at least 16 are needed");
        }

        var fmt = file.Read(chunk.BodyOffset, (int)Math.Min(chunk.Size, 64));
        if (fmt.Length < 16)
        {
            return (CheckProblem.Truncated, "the file ends inside the 'fmt ' chunk");
        }

        var tag = BinaryPrimitives.ReadUInt16LittleEndian(fmt);
        var channels = BinaryPrimitives.ReadUInt16LittleEndian(fmt.AsSpan(2));
        var sampleRate = BinaryPrimitives.ReadUInt32LittleEndian(fmt.AsSpan(4));
        var byteRate = BinaryPrimitives.ReadUInt32LittleEndian(fmt.AsSpan(8));
        var blockAlign = BinaryPrimitives.ReadUInt16LittleEndian(fmt.AsSpan(12));
        var bits = BinaryPrimitives.ReadUInt16LittleEndian(fmt.AsSpan(14));
        header.SampleRate = (int)sampleRate;
        switch (tag)
        {
            case 1 or 3:
                break;
            case 0xFFFE when chunk.Size < 40 || fmt.Length < 40:
                return (CheckProblem.Damaged, $"damaged WAV: declared WAVE_FORMAT_EXTENSIBLE but the 'fmt ' chunk is {chunk.Size} bytes, 40 are needed");
            case 0xFFFE:
                var subFormat = BinaryPrimitives.ReadUInt16LittleEndian(fmt.AsSpan(24));
                if (subFormat is not (1 or 3))
                {
                    return (CheckProblem.Damaged, $"damaged WAV: WAVE_FORMAT_EXTENSIBLE with sub-format {subFormat}, not PCM (1) or float (3)");
                }

                break;
            default:
                return (CheckProblem.Damaged, $"damaged WAV: format tag {tag:X4} is not PCM (0001), float (0003) or extensible (FFFE)");
        }

        if (channels == 0 || sampleRate == 0 || bits == 0)
        {
            return (CheckProblem.Damaged, $"damaged WAV header: {channels} channels, {sampleRate} Hz, {bits} bits per sample");
        }

        var expectedAlign = channels * ((bits + 7) / 8);
        if (blockAlign != expectedAlign || byteRate != sampleRate * (uint)blockAlign)
        {
            return (CheckProblem.Damaged, $"damaged WAV header: block align {blockAlign} and byte rate {byteRate} do not fit {channels} channels of {bits} bits at {sampleRate} Hz");
        }

        return null;
    }

    private static void ReadInfo(FileSample file, RiffChunk list, WavHeader header)
    {
        if (list.Size < 4 || list.Size > MaxCommentBytes)
        {
            return;
        }

        var body = file.Read(list.BodyOffset, (int)list.Size);
        if (body.Length < 4 || RiffChunk.FourCc(body) != "INFO")
        {
            return;
        }

        var position = 4;
        while (position + 8 <= body.Length)
        {
            var id = RiffChunk.FourCc(body.AsSpan(position));
            var size = (int)Math.Min(BinaryPrimitives.ReadUInt32LittleEndian(body.AsSpan(position + 4)), (uint)(body.Length - position - 8));
            var text = Encoding.UTF8.GetString(body, position + 8, size).TrimEnd('\0', ' ');
            if (id == "ICMT")
            {
                header.Comment = text;
            }
            else if (id == "IART")
            {
                header.Artist = text;
            }

            position += 8 + size + (size & 1);
        }
    }

    private static string? ReadText(FileSample file, long offset, uint size) =>
        size > MaxCommentBytes ? null : Encoding.UTF8.GetString(file.Read(offset, (int)size)).TrimEnd('\0');
}
