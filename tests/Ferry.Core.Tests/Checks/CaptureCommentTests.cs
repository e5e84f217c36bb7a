using Ferry.Core.Checks;

namespace Ferry.Core.Tests.Checks;

public sealed class CaptureCommentTests
{
    [Fact]
    public void AudioMoth_CommentWithOffset_KeepsWallClockAndOffset()
    {
        var result = AudioMothComment.Parse("Recorded at 23:45:10 31/12/2026 (UTC+10:30) by AudioMoth 0123456789ABCDEF at high gain.", 96000);

        Assert.NotNull(result);
        Assert.Equal(new DateTime(2026, 12, 31, 23, 45, 10), result.CapturedAt);
        Assert.Equal(new TimeSpan(10, 30, 0), result.UtcOffset);
        Assert.Equal("0123456789ABCDEF", result.Serial);
        Assert.Equal(96000, result.SampleRate);
    }

    [Fact]
    public void AudioMoth_OtherComment_Null()
    {
        Assert.Null(AudioMothComment.Parse("Recorded by a person", 48000));
    }

    [Fact]
    public void Guano_TimestampWithoutOffset_WallClockNoOffset()
    {
        var result = GuanoMetadata.Parse("GUANO|Version: 1.0\nTimestamp: 2026-05-02T21:15:30\nSerial: X1\n", 44100);

        Assert.NotNull(result);
        Assert.Equal(new DateTime(2026, 5, 2, 21, 15, 30), result.CapturedAt);
        Assert.Null(result.UtcOffset);
        Assert.Equal("X1", result.Serial);
        Assert.Equal(44100, result.SampleRate);
    }

    [Fact]
    public void Guano_NotGuano_Null()
    {
        Assert.Null(GuanoMetadata.Parse("Timestamp: 2026-05-02T21:15:30", null));
    }
}
