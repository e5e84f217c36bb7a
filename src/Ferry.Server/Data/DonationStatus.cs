namespace Ferry.Server.Data;

/// <summary>Where a donation stands. Stored as its word (<see cref="StoredNames"/>: running, completed, failed).</summary>
internal enum DonationStatus
{
    Running,
    Completed,
    Failed,
}
