namespace Ferry.Server.Data;

/// <summary>The audit trace of an erasure: when, how much was deleted, and the report of every place checked (JSON) — no pseudonym, no personal data.</summary>
internal sealed class Erasure : CompanyOwned
{
    public long Id { get; set; }
    public required string ErasureId { get; set; }
    public DateTimeOffset At { get; set; }
    public int ObjectsDeleted { get; set; }
    public long RowsDeleted { get; set; }
    public string? Report { get; set; }
}
