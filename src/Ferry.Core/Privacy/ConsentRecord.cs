namespace Ferry.Core.Privacy;

/// <summary>
/// One entry of the consent ledger: who (a pseudonym, never the identifier), what (<c>granted</c> or
/// <c>withdrawn</c>), when, under which policy version and text (hash), for what scope and study.
/// </summary>
public sealed record ConsentRecord(string DonorPseudonym, string Decision, DateTimeOffset At, string PolicyVersion, string PolicyHash, string Scope, string Study)
{
    public const string Granted = "granted";
    public const string Withdrawn = "withdrawn";
}
