using System.Buffers.Binary;
using Ferry.Core.Checks;
using Ferry.Testing;

namespace Ferry.Core.Tests.Checks;

public sealed class MediaInspectorTests : IDisposable
{
    private static readonly DateTime Taken = new(2026, 5, 3, 14, 22, 5);
    private readonly TempDirectory _dir = new("media");

    public void Dispose() => _dir.Dispose();

    private FileInspection Inspect(string name, byte[] content) => MediaInspector.Inspect(_dir.Write(name, content));

    [Fact]
    public void Inspect_ValidJpegWithExif_NoProblemAndReadsTimeMakeModelSerial()
    {
        var sut = Inspect("IMG_0001.JPG", FieldMedia.Jpeg(Taken, serial: "H500-123"));

        Assert.Equal(MediaKind.Jpeg, sut.Kind);
        Assert.Null(sut.Problem);
        Assert.Equal(Taken, sut.Metadata.CapturedAt);
        Assert.Equal("Reconyx", sut.Metadata.Make);
        Assert.Equal("HF2X", sut.Metadata.Model);
        Assert.Equal("H500-123", sut.Metadata.Serial);
    }

    [Fact]
    public void Inspect_JpegCutBeforeEnd_TruncatedNoEndOfImage()
    {
        var jpeg = FieldMedia.Jpeg(Taken);

        var sut = Inspect("cut.jpg", FieldMedia.Cut(jpeg, jpeg.Length - 500));

        Assert.Equal(CheckProblem.Truncated, sut.Problem?.Problem);
        Assert.Contains("end-of-image", sut.Problem?.Message);
        Assert.Equal(Taken, sut.Metadata.CapturedAt);
    }

    [Fact]
    public void Inspect_JpegCutInsideExif_TruncatedInHeader()
    {
        var sut = Inspect("cut.jpg", FieldMedia.Cut(FieldMedia.Jpeg(Taken), 60));

        Assert.Equal(CheckProblem.Truncated, sut.Problem?.Problem);
        Assert.Contains("segment FFE1", sut.Problem?.Message);
    }

    [Fact]
    public void Inspect_JpegWithZeroedTail_TruncatedSaysZero()
    {
        var jpeg = FieldMedia.Jpeg(Taken, imageBytes: 20_000);
        Array.Clear(jpeg, jpeg.Length - 8000, 8000);

        var sut = Inspect("zeroed.jpg", jpeg);

        Assert.Equal(CheckProblem.Truncated, sut.Problem?.Problem);
        Assert.Contains("are zero", sut.Problem?.Message);
    }

    [Fact]
    public void Inspect_JpegWithBrokenMarker_Damaged()
    {
        var jpeg = FieldMedia.Jpeg(Taken);
        var sof = jpeg.AsSpan().IndexOf([(byte)0xFF, (byte)0xC0]);
        jpeg[sof] = 0x12;

        var sut = Inspect("broken.jpg", jpeg);

        Assert.Equal(CheckProblem.Damaged, sut.Problem?.Problem);
        Assert.Contains($"marker sequence at byte {sof}", sut.Problem?.Message);
    }

    [Fact]
    public void Inspect_JpegNamedFileWithoutJpegHeader_Damaged()
    {
        var sut = Inspect("photo.jpg", TestData.Bytes(3000, 4));

        Assert.Equal(CheckProblem.Damaged, sut.Problem?.Problem);
        Assert.Contains("FFD8", sut.Problem?.Message);
    }

    [Fact]
    public void Inspect_AudioMothWav_NoProblemAndReadsRecorderTimeAndRate()
    {
        var recorded = new DateTime(2026, 5, 1, 10, 0, 0);

        var sut = Inspect("20260501_100000.WAV", FieldMedia.Wav(sampleRate: 48000, comment: FieldMedia.AudioMothComment(recorded)));

        Assert.Equal(MediaKind.Wav, sut.Kind);
        Assert.Null(sut.Problem);
        Assert.Equal(recorded, sut.Metadata.CapturedAt);
        Assert.Equal(TimeSpan.Zero, sut.Metadata.UtcOffset);
        Assert.Equal("24F3190361DA7A27", sut.Metadata.Serial);
        Assert.Equal(48000, sut.Metadata.SampleRate);
    }

    [Fact]
    public void Inspect_GuanoWav_ReadsTimestampSerialAndRate()
    {
        var guano = "GUANO|Version: 1.0\nMake: Wildlife Acoustics\nModel: SM4BAT-FS\nSerial: S4U12345\nSamplerate: 256000\nTimestamp: 2026-05-02T21:15:30+02:00\n";

        var sut = Inspect("bat.wav", FieldMedia.Wav(sampleRate: 256000, guano: guano));

        Assert.Null(sut.Problem);
        Assert.Equal(new DateTime(2026, 5, 2, 21, 15, 30), sut.Metadata.CapturedAt);
        Assert.Equal(TimeSpan.FromHours(2), sut.Metadata.UtcOffset);
        Assert.Equal("S4U12345", sut.Metadata.Serial);
        Assert.Equal("SM4BAT-FS", sut.Metadata.Model);
        Assert.Equal(256000, sut.Metadata.SampleRate);
    }

    [Fact]
    public void Inspect_ExtensibleWav_NoProblem()
    {
        var sut = Inspect("ext.wav", FieldMedia.Wav(extensible: true, channels: 2, bits: 24, audioBytes: 6000));

        Assert.Null(sut.Problem);
    }

    [Fact]
    public void Inspect_WavCutShort_TruncatedDataChunk()
    {
        var wav = FieldMedia.Wav(audioBytes: 10_000);

        var sut = Inspect("cut.wav", FieldMedia.Cut(wav, wav.Length - 4000));

        Assert.Equal(CheckProblem.Truncated, sut.Problem?.Problem);
        Assert.Contains("data chunk declares 10000 bytes", sut.Problem?.Message);
    }

    [Fact]
    public void Inspect_WavRiffSizeSmallerThanFile_DamagedSizesDisagree()
    {
        var wav = FieldMedia.Wav();
        BinaryPrimitives.WriteUInt32LittleEndian(wav.AsSpan(4), 36);

        var sut = Inspect("unfinalized.wav", wav);

        Assert.Equal(CheckProblem.Damaged, sut.Problem?.Problem);
        Assert.Contains("RIFF size disagrees", sut.Problem?.Message);
    }

    [Fact]
    public void Inspect_WavDeclaredExtensibleWithShortFormat_Damaged()
    {
        var wav = FieldMedia.Wav();
        BinaryPrimitives.WriteUInt16LittleEndian(wav.AsSpan(20), 0xFFFE);

        var sut = Inspect("liar.wav", wav);

        Assert.Equal(CheckProblem.Damaged, sut.Problem?.Problem);
        Assert.Contains("WAVE_FORMAT_EXTENSIBLE", sut.Problem?.Message);
    }

    [Fact]
    public void Inspect_WavWithCompressedFormat_Damaged()
    {
        var wav = FieldMedia.Wav();
        BinaryPrimitives.WriteUInt16LittleEndian(wav.AsSpan(20), 0x0055);

        var sut = Inspect("mp3.wav", wav);

        Assert.Equal(CheckProblem.Damaged, sut.Problem?.Problem);
        Assert.Contains("0055", sut.Problem?.Message);
    }

    [Fact]
    public void Inspect_ValidMp4_NoProblemAndReadsCreationTime()
    {
        var created = new DateTime(2026, 5, 4, 6, 30, 0);

        var sut = Inspect("CLIP0001.MP4", FieldMedia.Mp4(created));

        Assert.Equal(MediaKind.IsoBmff, sut.Kind);
        Assert.Null(sut.Problem);
        Assert.Equal(created, sut.Metadata.CapturedAt);
    }

    [Fact]
    public void Inspect_Mp4CutInsideMdat_TruncatedNamesTheBox()
    {
        var mp4 = FieldMedia.Mp4(mediaBytes: 8000);

        var sut = Inspect("cut.mp4", FieldMedia.Cut(mp4, mp4.Length - 3000));

        Assert.Equal(CheckProblem.Truncated, sut.Problem?.Problem);
        Assert.Contains("box 'mdat'", sut.Problem?.Message);
        Assert.Contains("3000 bytes short", sut.Problem?.Message);
    }

    [Fact]
    public void Inspect_Mp4WithoutMoov_DamagedNotFinalized()
    {
        var sut = Inspect("unfinished.mov", FieldMedia.Mp4(withMovie: false));

        Assert.Equal(CheckProblem.Damaged, sut.Problem?.Problem);
        Assert.Contains("no 'moov' box", sut.Problem?.Message);
    }

    [Fact]
    public void Inspect_ValidAvi_NoProblem()
    {
        var sut = Inspect("CLIP.AVI", FieldMedia.Avi());

        Assert.Equal(MediaKind.Avi, sut.Kind);
        Assert.Null(sut.Problem);
    }

    [Fact]
    public void Inspect_AviCut_Truncated()
    {
        var avi = FieldMedia.Avi(frameBytes: 6000);

        var sut = Inspect("cut.avi", FieldMedia.Cut(avi, 3000));

        Assert.Equal(CheckProblem.Truncated, sut.Problem?.Problem);
    }

    [Fact]
    public void Inspect_ZeroLengthFile_Empty()
    {
        var sut = Inspect("empty.jpg", []);

        Assert.Equal(CheckProblem.Empty, sut.Problem?.Problem);
    }

    [Fact]
    public void Inspect_AllZeroFile_AllZeroAndSaysItSampled()
    {
        var sut = Inspect("erased.wav", new byte[1_000_000]);

        Assert.Equal(CheckProblem.AllZero, sut.Problem?.Problem);
        Assert.Contains($"{MediaInspector.ZeroBlocks * MediaInspector.ZeroBlockSize} of 1000000 bytes read", sut.Problem?.Message);
    }

    [Fact]
    public void Inspect_ZeroHeadButDataInTheMiddleSample_NotAllZero()
    {
        var content = new byte[1_000_000];
        var middle = (content.Length - MediaInspector.ZeroBlockSize) * 3 / (MediaInspector.ZeroBlocks - 1);
        content[middle + 10] = 1;

        var sut = Inspect("data.bin", content);

        Assert.Null(sut.Problem);
    }

    [Fact]
    public void Inspect_OtherFile_NoProblem()
    {
        var sut = Inspect("notes.txt", "deployed at the oak"u8.ToArray());

        Assert.Equal(MediaKind.Other, sut.Kind);
        Assert.Null(sut.Problem);
    }

    [Fact]
    public void Inspect_JpegWithoutExtension_RecognisedByMagic()
    {
        var sut = Inspect("IMG_0001", FieldMedia.Jpeg(Taken));

        Assert.Equal(MediaKind.Jpeg, sut.Kind);
        Assert.Equal(Taken, sut.Metadata.CapturedAt);
    }

    [Fact]
    public void Inspect_RandomlyDamagedFiles_NeverThrows()
    {
        var random = new Random(20261130);
        var originals = new (string Name, byte[] Content)[]
        {
            ("a.jpg", FieldMedia.Jpeg(Taken, "SN1")),
            ("a.wav", FieldMedia.Wav(comment: FieldMedia.AudioMothComment(Taken), guano: "GUANO|Version: 1.0\nTimestamp: 2026-05-01T10:00:00Z\n")),
            ("a.mp4", FieldMedia.Mp4(Taken)),
            ("a.avi", FieldMedia.Avi()),
        };
        for (var round = 0; round < 400; round++)
        {
            var (name, original) = originals[round % originals.Length];
            var damaged = original.ToArray();
            for (var flips = random.Next(1, 6); flips > 0; flips--)
            {
                damaged[random.Next(Math.Min(damaged.Length, 200))] = (byte)random.Next(256);
            }

            if (round % 3 == 0)
            {
                damaged = damaged[..random.Next(1, damaged.Length)];
            }

            var sut = Inspect($"{round}-{name}", damaged);

            Assert.NotNull(sut);
        }
    }
}
