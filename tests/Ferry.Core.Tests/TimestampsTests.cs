namespace Ferry.Core.Tests;

public sealed class TimestampsTests
{
    private static readonly DateTimeOffset At = new(2026, 11, 30, 12, 11, 38, 123, TimeSpan.FromHours(2));

    [Fact]
    public void Iso_AnyOffset_UtcWithMilliseconds() => Assert.Equal("2026-11-30T10:11:38.123Z", Timestamps.Iso(At));

    [Fact]
    public void IsoSeconds_AnyOffset_UtcToTheSecond() => Assert.Equal("2026-11-30T10:11:38Z", Timestamps.IsoSeconds(At));

    [Fact]
    public void FileName_AnyOffset_UtcWithoutSeparators() => Assert.Equal("20261130_101138", Timestamps.FileName(At));

    [Fact]
    public void ForPeople_AnyOffset_UtcToTheMinuteAndSaysUtc() => Assert.Equal("2026-11-30 10:11 UTC", Timestamps.ForPeople(At));
}
