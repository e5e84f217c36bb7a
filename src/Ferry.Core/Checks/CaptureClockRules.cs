using System.Globalization;

namespace Ferry.Core.Checks;

/// <summary>
/// Decides whether a capture time is believable: not a reset clock (a year before
/// <see cref="CheckOptions.ClockResetBeforeYear"/> or a configured camera default year), not in the future, inside
/// the deployment window when one is given. A time without a zone (EXIF, MP4) counts as future only when it is
/// more than 14 hours ahead of UTC now, the largest offset of any time zone.
/// </summary>
internal sealed class CaptureClockRules(CheckOptions options, DateTimeOffset now)
{
    private static readonly TimeSpan LargestZoneOffset = TimeSpan.FromHours(14);

    /// <summary>The problem with this capture time, or null when it is believable (or unknown).</summary>
    public (CheckProblem Problem, string Message)? Judge(CaptureMetadata metadata)
    {
        if (metadata.CapturedAt is not { } capturedAt)
        {
            return null;
        }

        var text = capturedAt.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
        if (capturedAt.Year < options.ClockResetBeforeYear)
        {
            return (CheckProblem.ClockReset, $"capture time {text} is before {options.ClockResetBeforeYear}: the device clock was reset");
        }

        if (options.CameraDefaultYears.Contains(capturedAt.Year))
        {
            return (CheckProblem.ClockReset, $"capture time {text} is in {capturedAt.Year}, a camera's factory-default year: the device clock was reset");
        }

        var future = metadata.UtcOffset is { } offset
            ? new DateTimeOffset(capturedAt, offset) > now.AddMinutes(5)
            : capturedAt > now.UtcDateTime + LargestZoneOffset;
        if (future)
        {
            return (CheckProblem.FutureTime, $"capture time {text} is in the future");
        }

        if (options.Window is { } window && !window.Contains(capturedAt))
        {
            return (CheckProblem.OutsideWindow, $"capture time {text} is outside the deployment window {window}");
        }

        return null;
    }
}
