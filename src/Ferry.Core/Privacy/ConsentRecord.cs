namespace Ferry.Core.Privacy;

/// <summary>
/// One entry of the consent ledger: who (a pseudonym, never the identifier), what (<c>granted</c> or
/// <c>withdrawn</c> or <c>renewed</c>), when, under which policy version and text (hash), for what scope and study.
/// A withdrawal holds until a later <c>renewed</c> entry: a donation's own <c>granted</c> entry never lifts it (see
/// <see cref="IsHeld"/>), so a scripted <c>--consent</c> cannot undo a withdrawal.
/// </summary>
public sealed record ConsentRecord(string DonorPseudonym, string Decision, DateTimeOffset At, string PolicyVersion, string PolicyHash, string Scope, string Study)
{
    public const string Granted = "granted";
    public const string Withdrawn = "withdrawn";

    /// <summary>Consent given again after a withdrawal, through an interactive step (a terminal or the web page), never a flag.</summary>
    public const string Renewed = "renewed";

    /// <summary>
    /// True when a donor's decisions, oldest first, end in a hold: the last <c>withdrawn</c> or <c>renewed</c> among them is
    /// <c>withdrawn</c>. <c>granted</c> entries (one per donation) are ignored.
    /// </summary>
    public static bool IsHeld(IEnumerable<string> decisionsOldestFirst) =>
        decisionsOldestFirst.LastOrDefault(d => d is Withdrawn or Renewed) == Withdrawn;
}
