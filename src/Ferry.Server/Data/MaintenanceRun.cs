namespace Ferry.Server.Data;

/// <summary>One run of a scheduled task (<c>donation-export</c>, <c>donation-retention</c>) and how it ended (<c>ok</c> or <c>failed</c>).</summary>
internal sealed class MaintenanceRun
{
    public const string Export = "donation-export";
    public const string Retention = "donation-retention";

    public long Id { get; set; }
    public required string Task { get; set; }
    public long? CompanyId { get; set; }
    public DateTimeOffset StartedAt { get; set; }
    public DateTimeOffset FinishedAt { get; set; }
    public required string Outcome { get; set; }
    public string? Message { get; set; }
}
