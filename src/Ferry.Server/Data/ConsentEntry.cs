namespace Ferry.Server.Data;

/// <summary>One consent decision in the ledger (<c>consent_records</c>): a donor pseudonym, granted or withdrawn, when, under which policy.</summary>
internal sealed class ConsentEntry : CompanyOwned
{
    public long Id { get; set; }
    public required string Donor { get; set; }
    public required string Decision { get; set; }
    public DateTimeOffset At { get; set; }
    public required string PolicyVersion { get; set; }
    public required string PolicyHash { get; set; }
    public required string Scope { get; set; }
}
