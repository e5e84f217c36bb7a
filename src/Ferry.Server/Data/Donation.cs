namespace Ferry.Server.Data;

/// <summary>One donation from the web app or API: its donor pseudonym, <see cref="DonationStatus"/>, counts and bundle location.</summary>
internal sealed class Donation : CompanyOwned
{
    public long Id { get; set; }
    public required string Donor { get; set; }
    public required DonationStatus Status { get; set; }
    public int Files { get; set; }
    public long Records { get; set; }
    public long Malformed { get; set; }
    public long Bytes { get; set; }
    public string? Location { get; set; }
    public string? Message { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? FinishedAt { get; set; }
}
