using System.Buffers.Binary;

namespace Ferry.Core.Checks;

/// <summary>
/// An MP4/MOV file's top-level boxes (ISO/IEC 14496-12): each a 32-bit size (or 1 and a 64-bit size, or 0 for "to
/// the end") and a four-character type, one after the other to exactly the end of the file, with a <c>moov</c> box
/// among them. A cut copy ends inside a box; a recording never finalized has no <c>moov</c>. Only box headers are read.
/// </summary>
internal static class IsoBmffCheck
{
    private const int MaxBoxes = 100_000;

    /// <summary>The top-level box types that may start a file, for recognising one without an extension.</summary>
    public static bool LooksLikeOne(ReadOnlySpan<byte> head) =>
        head.Length >= 8 && RiffChunk.FourCc(head[4..]) is "ftyp" or "moov" or "mdat" or "wide" or "free" or "skip" or "pnot";

    public static (CheckProblem Problem, string Message)? Inspect(FileSample file)
    {
        if (!LooksLikeOne(file.Head))
        {
            return (CheckProblem.Damaged, "not an MP4/MOV file: it does not start with an ftyp, moov, mdat, wide, free or skip box");
        }

        var sawMovie = false;
        long position = 0;
        for (var count = 0; position < file.Length; count++)
        {
            if (count == MaxBoxes)
            {
                return (CheckProblem.Damaged, $"damaged MP4/MOV: more than {MaxBoxes} top-level boxes");
            }

            var bytes = file.Read(position, 16);
            if (bytes.Length < 8)
            {
                return (CheckProblem.Truncated, $"{bytes.Length} stray bytes after the last complete box at byte {position}");
            }

            var type = RiffChunk.FourCc(bytes.AsSpan(4));
            if (!RiffChunk.IsPrintable(bytes.AsSpan(4)))
            {
                return (CheckProblem.Damaged, $"broken MP4/MOV box sequence at byte {position}: not a box header");
            }

            long size = BinaryPrimitives.ReadUInt32BigEndian(bytes);
            long headerSize = 8;
            if (size == 1)
            {
                if (bytes.Length < 16)
                {
                    return (CheckProblem.Truncated, $"box '{type}' at byte {position} is cut inside its header");
                }

                var large = BinaryPrimitives.ReadUInt64BigEndian(bytes.AsSpan(8));
                size = large > long.MaxValue ? long.MaxValue : (long)large;
                headerSize = 16;
            }
            else if (size == 0)
            {
                size = file.Length - position;
            }

            if (size < headerSize)
            {
                return (CheckProblem.Damaged, $"broken MP4/MOV box sequence at byte {position}: box '{type}' has size {size}");
            }

            if (size > file.Length - position)
            {
                return (CheckProblem.Truncated, $"box '{type}' at byte {position} declares {size} bytes, the file ends {size - (file.Length - position)} bytes short");
            }

            sawMovie |= type == "moov";
            position += size;
        }

        return sawMovie ? null : (CheckProblem.Damaged, "damaged MP4/MOV: no 'moov' box (the recording was never finalized, or it was cut off)");
    }
}
