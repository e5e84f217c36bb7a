namespace Ferry.Server.Data;

/// <summary>One pseudonymized record of a donation (its JSON as donated), for statistics and exports.</summary>
internal sealed class DonatedRecord : CompanyOwned
{
    public long Id { get; set; }
    public long DonationId { get; set; }
    public required string Donor { get; set; }
    public DateTimeOffset RecordedAt { get; set; }
    public required string Data { get; set; }
}
