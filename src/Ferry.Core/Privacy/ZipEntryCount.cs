using System.Buffers.Binary;

namespace Ferry.Core.Privacy;

/// <summary>
/// The number of entries a zip file declares in its end-of-central-directory record (the last 22 bytes, after a
/// comment of up to 64 KiB), read without opening the archive: <see cref="System.IO.Compression.ZipArchive"/> reads every
/// central-directory entry into memory when it opens, so a bundle from a stranger is counted first. Hand-written
/// because the framework offers no way to ask for the count alone; it is the format's fixed layout (APPNOTE 4.3.16).
/// </summary>
internal static class ZipEntryCount
{
    private const int RecordBytes = 22;
    private const uint Signature = 0x06054b50;

    /// <summary>The declared entry count; -1 when the file has no end record or declares a ZIP64 count (never needed by a bundle).</summary>
    public static int Read(string path)
    {
        using var file = File.OpenRead(path);
        var tail = (int)Math.Min(file.Length, RecordBytes + ushort.MaxValue);
        if (tail < RecordBytes)
        {
            return -1;
        }

        var buffer = new byte[tail];
        file.Seek(-tail, SeekOrigin.End);
        file.ReadExactly(buffer);
        for (var at = tail - RecordBytes; at >= 0; at--)
        {
            if (BinaryPrimitives.ReadUInt32LittleEndian(buffer.AsSpan(at)) == Signature
                && at + RecordBytes + BinaryPrimitives.ReadUInt16LittleEndian(buffer.AsSpan(at + 20)) == tail)
            {
                var total = BinaryPrimitives.ReadUInt16LittleEndian(buffer.AsSpan(at + 10));
                return total == ushort.MaxValue ? -1 : total;
            }
        }

        return -1;
    }
}
