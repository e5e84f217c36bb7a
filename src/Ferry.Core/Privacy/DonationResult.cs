namespace Ferry.Core.Privacy;

/// <summary>What a donation did, in counts and in one sentence; <see cref="Success"/> false means nothing was moved or archived.</summary>
/// <param name="UploadFailed">True when the failure came from the upload itself (after the set-up was found fine).</param>
public sealed record DonationResult(bool Success, string Message, string DonorPseudonym, int Files, long Records, long Malformed, long Bytes, string? Location, IReadOnlyList<string> Archived, bool UploadFailed = false)
{
    internal static DonationResult Failed(string message, string pseudonym, bool uploadFailed = false) => new(false, message, pseudonym, 0, 0, 0, 0, null, [], uploadFailed);
}
