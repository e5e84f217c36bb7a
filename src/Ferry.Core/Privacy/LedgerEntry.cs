namespace Ferry.Core.Privacy;

/// <summary>
/// One line of the local donation ledger (<c>FERRY_HOME/donations/ledger.jsonl</c>): a consent decision, a donation
/// (where its bundle went, where its originals were archived) or an erasure (counts only, no personal data).
/// </summary>
public sealed record LedgerEntry
{
    public const string ConsentType = "consent";
    public const string DonationType = "donation";
    public const string ErasureType = "erasure";

    public required string Type { get; init; }

    public required DateTimeOffset At { get; init; }

    public string? Donor { get; init; }

    public ConsentRecord? Consent { get; init; }

    public string? Location { get; init; }

    public IReadOnlyList<string>? Archived { get; init; }

    public long? Records { get; init; }

    public string? ErasureId { get; init; }

    public int? ObjectsDeleted { get; init; }

    public int? FilesDeleted { get; init; }

    public int? EntriesDeleted { get; init; }
}
