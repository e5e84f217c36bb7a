namespace Ferry.Core.Privacy;

/// <summary>What a donation did, in counts and in one sentence; <see cref="Success"/> false means nothing was moved or archived.</summary>
public sealed record DonationResult(bool Success, string Message, string DonorPseudonym, int Files, long Records, long Malformed, long Bytes, string? Location, IReadOnlyList<string> Archived)
{
    internal static DonationResult Failed(string message, string pseudonym) => new(false, message, pseudonym, 0, 0, 0, 0, null, []);
}
