using System.Buffers.Binary;

namespace Ferry.Core.Checks;

/// <summary>
/// An AVI file's RIFF structure: the first <c>RIFF AVI </c> list (and any <c>RIFF AVIX</c> extensions after it) with
/// sizes that fit the file, and the top-level chunks inside each, with <c>LIST hdrl</c> and <c>LIST movi</c> present.
/// Only chunk headers are read.
/// </summary>
internal static class AviCheck
{
    private const int MaxChunks = 100_000;

    public static bool LooksLikeOne(ReadOnlySpan<byte> head) => head.Length >= 12 && RiffChunk.FourCc(head) == "RIFF" && RiffChunk.FourCc(head[8..]) == "AVI ";

    public static (CheckProblem Problem, string Message)? Inspect(FileSample file)
    {
        if (!LooksLikeOne(file.Head))
        {
            return (CheckProblem.Damaged, "not an AVI file: it does not start with RIFF....AVI ");
        }

        var lists = new HashSet<string>(StringComparer.Ordinal);
        long position = 0;
        var count = 0;
        while (position < file.Length)
        {
            var riff = file.Read(position, 12);
            if (riff.Length < 12 || RiffChunk.FourCc(riff) != "RIFF")
            {
                return riff.Length < 12
                    ? (CheckProblem.Truncated, $"{riff.Length} stray bytes after the last RIFF list at byte {position}")
                    : (CheckProblem.Damaged, $"broken AVI structure at byte {position}: expected another RIFF list");
            }

            var riffEnd = position + 8 + BinaryPrimitives.ReadUInt32LittleEndian(riff.AsSpan(4));
            if (riffEnd > file.Length)
            {
                return (CheckProblem.Truncated, $"RIFF '{RiffChunk.FourCc(riff.AsSpan(8))}' at byte {position} declares {riffEnd - position} bytes, the file ends {riffEnd - file.Length} bytes short");
            }

            var inner = position + 12;
            while (inner < riffEnd)
            {
                if (++count > MaxChunks)
                {
                    return (CheckProblem.Damaged, $"damaged AVI: more than {MaxChunks} top-level chunks");
                }

                if (RiffChunk.ReadAt(file, inner) is not { } chunk || chunk.Offset + 8 > riffEnd)
                {
                    return (CheckProblem.Damaged, $"broken AVI chunk sequence at byte {inner}: a chunk header runs past its RIFF list");
                }

                var id = file.Read(chunk.Offset, 4);
                if (!RiffChunk.IsPrintable(id))
                {
                    return (CheckProblem.Damaged, $"broken AVI chunk sequence at byte {inner}: not a chunk header");
                }

                if (chunk.BodyOffset + chunk.Size > riffEnd)
                {
                    return (CheckProblem.Truncated, $"chunk '{chunk.Id}' at byte {inner} declares {chunk.Size} bytes, past the end of its RIFF list");
                }

                if (chunk.Id == "LIST" && chunk.Size >= 4)
                {
                    lists.Add(RiffChunk.FourCc(file.Read(chunk.BodyOffset, 4)));
                }

                inner = chunk.End;
            }

            position = riffEnd + (riffEnd & 1);
        }

        if (!lists.Contains("hdrl"))
        {
            return (CheckProblem.Damaged, "damaged AVI: no 'LIST hdrl' header list");
        }

        return lists.Contains("movi") ? null : (CheckProblem.Damaged, "damaged AVI: no 'LIST movi' list (no frames)");
    }
}
