using System.Buffers.Binary;
using System.Text;

namespace Ferry.Core.Checks;

/// <summary>A chunk header in a RIFF file (WAV, AVI): four-character id, little-endian size, body padded to an even length.</summary>
internal readonly record struct RiffChunk(string Id, long Offset, uint Size)
{
    public long BodyOffset => Offset + 8;

    /// <summary>Where the next chunk starts (the body plus its pad byte).</summary>
    public long End => BodyOffset + Size + (Size & 1);

    /// <summary>The chunk header at <paramref name="offset"/>, or null when fewer than 8 bytes are left.</summary>
    public static RiffChunk? ReadAt(FileSample file, long offset)
    {
        var bytes = file.Read(offset, 8);
        return bytes.Length < 8 ? null : new RiffChunk(FourCc(bytes), offset, BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(4)));
    }

    public static string FourCc(ReadOnlySpan<byte> fourBytes) => Encoding.Latin1.GetString(fourBytes[..4]);

    /// <summary>True when all four bytes are printable ASCII, as every registered chunk and box type is.</summary>
    public static bool IsPrintable(ReadOnlySpan<byte> fourBytes)
    {
        foreach (var b in fourBytes[..4])
        {
            if (b is < 0x20 or > 0x7E)
            {
                return false;
            }
        }

        return true;
    }
}
