namespace Ferry.Core.Verification;

/// <summary>The totals of a verification; the differences themselves are reported as they are found.</summary>
public sealed record VerificationReport(long FilesChecked, long FilesIdentical, long Differences, long ExtraObjects)
{
    public bool Identical => Differences == 0;
}
