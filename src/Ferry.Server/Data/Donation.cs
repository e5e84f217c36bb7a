namespace Ferry.Server.Data;

/// <summary>One donation from the web app or API: its donor pseudonym, status (running, completed, failed), counts and bundle location.</summary>
internal sealed class Donation
{
    public const string Running = "running";
    public const string Completed = "completed";
    public const string Failed = "failed";

    public long Id { get; set; }
    public long CompanyId { get; set; }
    public required string Donor { get; set; }
    public required string Status { get; set; }
    public int Files { get; set; }
    public long Records { get; set; }
    public long Malformed { get; set; }
    public long Bytes { get; set; }
    public string? Location { get; set; }
    public string? Message { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? FinishedAt { get; set; }
}
