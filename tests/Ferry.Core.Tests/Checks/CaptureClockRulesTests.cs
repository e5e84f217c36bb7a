using Ferry.Core.Checks;

namespace Ferry.Core.Tests.Checks;

public sealed class CaptureClockRulesTests
{
    private static readonly DateTimeOffset Now = new(2026, 6, 20, 12, 0, 0, TimeSpan.Zero);

    private static CaptureClockRules Rules(CheckOptions? options = null) => new(options ?? new CheckOptions(), Now);

    [Fact]
    public void Judge_Year2000_ClockReset()
    {
        var result = Rules().Judge(new CaptureMetadata(new DateTime(2000, 1, 1, 0, 3, 0)));

        Assert.Equal(CheckProblem.ClockReset, result?.Problem);
    }

    [Fact]
    public void Judge_ConfiguredCameraDefaultYear_ClockReset()
    {
        var sut = Rules(new CheckOptions { CameraDefaultYears = new HashSet<int> { 2016 } });

        var result = sut.Judge(new CaptureMetadata(new DateTime(2016, 1, 1, 0, 0, 0)));

        Assert.Equal(CheckProblem.ClockReset, result?.Problem);
        Assert.Contains("factory-default", result?.Message);
    }

    [Fact]
    public void Judge_ZonelessTimeTenHoursAhead_NotFuture()
    {
        var result = Rules().Judge(new CaptureMetadata(Now.UtcDateTime.AddHours(10)));

        Assert.Null(result);
    }

    [Fact]
    public void Judge_ZonelessTimeTwoDaysAhead_Future()
    {
        var result = Rules().Judge(new CaptureMetadata(Now.UtcDateTime.AddDays(2)));

        Assert.Equal(CheckProblem.FutureTime, result?.Problem);
    }

    [Fact]
    public void Judge_UtcTimeOneHourAhead_Future()
    {
        var result = Rules().Judge(new CaptureMetadata(Now.UtcDateTime.AddHours(1), TimeSpan.Zero));

        Assert.Equal(CheckProblem.FutureTime, result?.Problem);
    }

    [Fact]
    public void Judge_OutsideWindow_OutsideWindow()
    {
        var sut = Rules(new CheckOptions { Window = CaptureWindow.Parse("2026-05-01..2026-06-15") });

        Assert.Null(sut.Judge(new CaptureMetadata(new DateTime(2026, 6, 15, 23, 59, 0))));
        Assert.Equal(CheckProblem.OutsideWindow, sut.Judge(new CaptureMetadata(new DateTime(2026, 4, 30, 23, 0, 0)))?.Problem);
        Assert.Equal(CheckProblem.OutsideWindow, sut.Judge(new CaptureMetadata(new DateTime(2026, 6, 16, 0, 0, 1)))?.Problem);
    }

    [Fact]
    public void Judge_NoCaptureTime_NoProblem()
    {
        Assert.Null(Rules().Judge(CaptureMetadata.None));
    }

    [Theory]
    [InlineData("2026-05-01")]
    [InlineData("2026-06-01..2026-05-01")]
    [InlineData("May..June")]
    public void Parse_BadWindow_FormatException(string text)
    {
        Assert.Throws<FormatException>(() => CaptureWindow.Parse(text));
    }

    [Fact]
    public void Parse_WindowWithTimes_KeepsTimes()
    {
        var window = CaptureWindow.Parse("2026-05-01T06:00..2026-05-02T18:30");

        Assert.Equal(new DateTime(2026, 5, 1, 6, 0, 0), window.From);
        Assert.Equal(new DateTime(2026, 5, 2, 18, 30, 0), window.To);
    }
}
