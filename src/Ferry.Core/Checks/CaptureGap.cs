namespace Ferry.Core.Checks;

/// <summary>A pause between two consecutive captures in one folder longer than <see cref="CheckOptions.Gap"/> (wall-clock times).</summary>
public sealed record CaptureGap(DateTime From, DateTime To)
{
    public TimeSpan Length => To - From;
}
