using System.Buffers.Binary;
using System.Text;

namespace Ferry.Testing;

/// <summary>
/// Small, valid field-data files built byte by byte for the check tests: a JPEG with a hand-built EXIF block, WAVs
/// with AudioMoth or GUANO comments, MP4 with a movie header, AVI. Each is minimal but structurally complete, so a
/// test damages exactly one thing (cut the tail, patch a size) and knows what it did.
/// </summary>
public static class FieldMedia
{
    private static readonly DateTime QuickTimeEpoch = new(1904, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    /// <summary>A baseline-shaped JPEG: SOI, APP1 EXIF (Make, Model, DateTimeOriginal, BodySerialNumber when given), SOF0, SOS, image bytes, EOI.</summary>
    public static byte[] Jpeg(DateTime? taken = null, string? serial = null, string make = "Reconyx", string model = "HF2X", int imageBytes = 2000, int seed = 1)
    {
        var jpeg = new MemoryStream();
        jpeg.Write([0xFF, 0xD8]);
        var exif = Concat(Encoding.ASCII.GetBytes("Exif\0\0"), Tiff(taken, serial, make, model));
        Segment(jpeg, 0xE1, exif);
        Segment(jpeg, 0xC0, [8, 0, 16, 0, 16, 1, 1, 0x11, 0]);
        Segment(jpeg, 0xDA, [1, 1, 0, 0, 0x3F, 0]);
        var data = TestData.Bytes(imageBytes, seed);
        for (var i = 0; i < data.Length; i++)
        {
            // Entropy-coded data never holds FF followed by anything but 00 (stuffing); keep FF out altogether.
            if (data[i] == 0xFF)
            {
                data[i] = 0xFE;
            }
        }

        jpeg.Write(data);
        jpeg.Write([0xFF, 0xD9]);
        return jpeg.ToArray();
    }

    /// <summary>A PCM WAV (or WAVE_FORMAT_EXTENSIBLE) with an optional LIST/INFO ICMT comment and GUANO chunk.</summary>
    public static byte[] Wav(int sampleRate = 48000, int audioBytes = 4800, string? comment = null, string? guano = null, bool extensible = false, ushort channels = 1, ushort bits = 16)
    {
        var body = new MemoryStream();
        body.Write("WAVE"u8);
        var blockAlign = (ushort)(channels * bits / 8);
        var fmt = new byte[extensible ? 40 : 16];
        BinaryPrimitives.WriteUInt16LittleEndian(fmt, extensible ? (ushort)0xFFFE : (ushort)1);
        BinaryPrimitives.WriteUInt16LittleEndian(fmt.AsSpan(2), channels);
        BinaryPrimitives.WriteUInt32LittleEndian(fmt.AsSpan(4), (uint)sampleRate);
        BinaryPrimitives.WriteUInt32LittleEndian(fmt.AsSpan(8), (uint)(sampleRate * blockAlign));
        BinaryPrimitives.WriteUInt16LittleEndian(fmt.AsSpan(12), blockAlign);
        BinaryPrimitives.WriteUInt16LittleEndian(fmt.AsSpan(14), bits);
        if (extensible)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(fmt.AsSpan(16), 22);
            BinaryPrimitives.WriteUInt16LittleEndian(fmt.AsSpan(18), bits);
            BinaryPrimitives.WriteUInt16LittleEndian(fmt.AsSpan(24), 1);
        }

        RiffChunk(body, "fmt ", fmt);
        if (comment is not null)
        {
            var info = new MemoryStream();
            info.Write("INFO"u8);
            RiffChunk(info, "ICMT", Encoding.ASCII.GetBytes(comment + "\0"));
            RiffChunk(body, "LIST", info.ToArray());
        }

        RiffChunk(body, "data", TestData.Bytes(audioBytes, 7));
        if (guano is not null)
        {
            RiffChunk(body, "guan", Encoding.UTF8.GetBytes(guano));
        }

        var riff = new MemoryStream();
        RiffChunk(riff, "RIFF", body.ToArray());
        return riff.ToArray();
    }

    /// <summary>The comment AudioMoth firmware writes.</summary>
    public static string AudioMothComment(DateTime recorded, string id = "24F3190361DA7A27", string zone = "UTC") =>
        $"Recorded at {recorded:HH:mm:ss} {recorded:dd/MM/yyyy} ({zone}) by AudioMoth {id} at medium gain while battery was greater than 4.9V and temperature was 21.2C.";

    /// <summary>An MP4: ftyp, moov with an mvhd holding <paramref name="created"/> (when <paramref name="withMovie"/>), mdat.</summary>
    public static byte[] Mp4(DateTime? created = null, int mediaBytes = 4000, bool withMovie = true)
    {
        var file = new MemoryStream();
        Box(file, "ftyp", Concat("isom"u8.ToArray(), [0, 0, 2, 0], "isomiso2mp41"u8.ToArray()));
        if (withMovie)
        {
            var mvhd = new byte[100];
            var seconds = (uint)((created ?? QuickTimeEpoch) - QuickTimeEpoch).TotalSeconds;
            BinaryPrimitives.WriteUInt32BigEndian(mvhd.AsSpan(4), seconds);
            BinaryPrimitives.WriteUInt32BigEndian(mvhd.AsSpan(8), seconds);
            BinaryPrimitives.WriteUInt32BigEndian(mvhd.AsSpan(12), 1000);
            BinaryPrimitives.WriteUInt32BigEndian(mvhd.AsSpan(16), 5000);
            BinaryPrimitives.WriteUInt32BigEndian(mvhd.AsSpan(20), 0x00010000);
            BinaryPrimitives.WriteUInt16BigEndian(mvhd.AsSpan(24), 0x0100);
            BinaryPrimitives.WriteUInt32BigEndian(mvhd.AsSpan(36), 0x00010000);
            BinaryPrimitives.WriteUInt32BigEndian(mvhd.AsSpan(52), 0x00010000);
            BinaryPrimitives.WriteUInt32BigEndian(mvhd.AsSpan(68), 0x40000000);
            BinaryPrimitives.WriteUInt32BigEndian(mvhd.AsSpan(96), 2);
            var moov = new MemoryStream();
            Box(moov, "mvhd", mvhd);
            Box(file, "moov", moov.ToArray());
        }

        Box(file, "mdat", TestData.Bytes(mediaBytes, 3));
        return file.ToArray();
    }

    /// <summary>An AVI: RIFF AVI with LIST hdrl (avih), LIST movi (one frame) and idx1.</summary>
    public static byte[] Avi(int frameBytes = 3000)
    {
        var hdrl = new MemoryStream();
        hdrl.Write("hdrl"u8);
        RiffChunk(hdrl, "avih", new byte[56]);
        var movi = new MemoryStream();
        movi.Write("movi"u8);
        RiffChunk(movi, "00dc", TestData.Bytes(frameBytes, 5));
        var body = new MemoryStream();
        body.Write("AVI "u8);
        RiffChunk(body, "LIST", hdrl.ToArray());
        RiffChunk(body, "LIST", movi.ToArray());
        RiffChunk(body, "idx1", new byte[16]);
        var riff = new MemoryStream();
        RiffChunk(riff, "RIFF", body.ToArray());
        return riff.ToArray();
    }

    /// <summary>The first <paramref name="length"/> bytes: a copy cut short.</summary>
    public static byte[] Cut(byte[] file, int length) => file[..length];

    private static byte[] Tiff(DateTime? taken, string? serial, string make, string model)
    {
        var ifd0 = new List<(ushort Tag, ushort Type, byte[] Value)>
        {
            (0x010F, 2, Ascii(make)),
            (0x0110, 2, Ascii(model)),
            (0x8769, 4, new byte[4]),
        };
        var exifEntries = new List<(ushort, ushort, byte[])>();
        if (taken is { } time)
        {
            exifEntries.Add((0x9003, 2, Ascii(time.ToString("yyyy:MM:dd HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture))));
        }

        if (serial is not null)
        {
            exifEntries.Add((0xA431, 2, Ascii(serial)));
        }

        var first = Ifd(8, ifd0);
        BinaryPrimitives.WriteUInt32LittleEndian(ifd0[2].Value, (uint)(8 + first.Length));
        first = Ifd(8, ifd0);
        var exif = Ifd(8 + first.Length, exifEntries);
        return Concat("II*\0"u8.ToArray(), [8, 0, 0, 0], first, exif);
    }

    /// <summary>One IFD at TIFF offset <paramref name="start"/>: count, 12-byte entries, next-IFD 0, then the values that do not fit in 4 bytes.</summary>
    private static byte[] Ifd(int start, List<(ushort Tag, ushort Type, byte[] Value)> entries)
    {
        var table = new MemoryStream();
        var data = new MemoryStream();
        var dataStart = start + 2 + entries.Count * 12 + 4;
        Span<byte> entry = stackalloc byte[12];
        table.Write(BitConverter.GetBytes((ushort)entries.Count));
        foreach (var (tag, type, value) in entries)
        {
            entry.Clear();
            BinaryPrimitives.WriteUInt16LittleEndian(entry, tag);
            BinaryPrimitives.WriteUInt16LittleEndian(entry[2..], type);
            BinaryPrimitives.WriteUInt32LittleEndian(entry[4..], type == 4 ? 1u : (uint)value.Length);
            if (value.Length <= 4)
            {
                value.CopyTo(entry[8..]);
            }
            else
            {
                BinaryPrimitives.WriteUInt32LittleEndian(entry[8..], (uint)(dataStart + data.Length));
                data.Write(value);
                if (value.Length % 2 == 1)
                {
                    data.WriteByte(0);
                }
            }

            table.Write(entry);
        }

        table.Write(new byte[4]);
        table.Write(data.ToArray());
        return table.ToArray();
    }

    private static byte[] Ascii(string text) => Encoding.ASCII.GetBytes(text + "\0");

    private static void Segment(Stream jpeg, byte marker, byte[] body)
    {
        jpeg.Write([0xFF, marker, (byte)((body.Length + 2) >> 8), (byte)(body.Length + 2)]);
        jpeg.Write(body);
    }

    private static void RiffChunk(Stream stream, string id, byte[] body)
    {
        stream.Write(Encoding.ASCII.GetBytes(id));
        Span<byte> size = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(size, (uint)body.Length);
        stream.Write(size);
        stream.Write(body);
        if (body.Length % 2 == 1)
        {
            stream.WriteByte(0);
        }
    }

    private static void Box(Stream stream, string type, byte[] body)
    {
        Span<byte> size = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(size, (uint)(body.Length + 8));
        stream.Write(size);
        stream.Write(Encoding.ASCII.GetBytes(type));
        stream.Write(body);
    }

    private static byte[] Concat(params byte[][] parts) => parts.SelectMany(p => p).ToArray();
}
