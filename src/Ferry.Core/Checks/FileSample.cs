using System.Buffers.Binary;
using Microsoft.Win32.SafeHandles;

namespace Ferry.Core.Checks;

/// <summary>
/// An open file read in small pieces at known offsets: its first <see cref="HeadSize"/> bytes once, then whatever a
/// format check asks for (a box header, the last bytes). Nothing reads the whole file, so a check costs a few
/// page reads whatever the size.
/// </summary>
internal sealed class FileSample : IDisposable
{
    /// <summary>Bytes read from the start up front: enough for the headers of every checked format and a JPEG's EXIF in most files.</summary>
    public const int HeadSize = 16 * 1024;

    private readonly SafeFileHandle _handle;
    private readonly byte[] _head;

    private FileSample(SafeFileHandle handle, long length, byte[] head)
    {
        _handle = handle;
        Length = length;
        _head = head;
    }

    public long Length { get; }

    /// <summary>The first min(<see cref="HeadSize"/>, <see cref="Length"/>) bytes.</summary>
    public ReadOnlySpan<byte> Head => _head;

    public static FileSample Open(string path)
    {
        var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        try
        {
            var length = RandomAccess.GetLength(handle);
            var head = new byte[(int)Math.Min(HeadSize, length)];
            var read = ReadFully(handle, head, 0);
            return new FileSample(handle, length, read == head.Length ? head : head[..read]);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    /// <summary>Reads up to <paramref name="count"/> bytes at <paramref name="offset"/>; fewer at the end of the file.</summary>
    public byte[] Read(long offset, int count)
    {
        if (offset >= Length || count <= 0)
        {
            return [];
        }

        count = (int)Math.Min(count, Length - offset);
        if (offset + count <= _head.Length)
        {
            return _head.AsSpan((int)offset, count).ToArray();
        }

        var buffer = new byte[count];
        var read = ReadFully(_handle, buffer, offset);
        return read == count ? buffer : buffer[..read];
    }

    /// <summary>The last <paramref name="count"/> bytes (or the whole file when shorter).</summary>
    public byte[] Tail(int count) => Read(Math.Max(0, Length - count), count);

    public uint ReadUInt32BigEndian(long offset) => Read(offset, 4) is { Length: 4 } b ? BinaryPrimitives.ReadUInt32BigEndian(b) : 0;

    /// <summary>
    /// True when <paramref name="blocks"/> blocks of <paramref name="blockSize"/> bytes spread evenly over the file
    /// (the first and the last among them) are all zero: a sample, not a proof.
    /// </summary>
    public bool SampledBlocksAreZero(int blocks, int blockSize)
    {
        if (Length == 0)
        {
            return false;
        }

        for (var i = 0; i < blocks; i++)
        {
            var offset = blocks == 1 ? 0 : (Length - blockSize) * i / (blocks - 1);
            if (Read(Math.Max(0, offset), blockSize).AsSpan().ContainsAnyExcept((byte)0))
            {
                return false;
            }
        }

        return true;
    }

    public void Dispose() => _handle.Dispose();

    private static int ReadFully(SafeFileHandle handle, byte[] buffer, long offset)
    {
        var total = 0;
        while (total < buffer.Length)
        {
            var read = RandomAccess.Read(handle, buffer.AsSpan(total), offset + total);
            if (read == 0)
            {
                break;
            }

            total += read;
        }

        return total;
    }
}
