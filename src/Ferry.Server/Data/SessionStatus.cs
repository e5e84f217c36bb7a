namespace Ferry.Server.Data;

/// <summary>Where a session stands. Stored and shown as its word (<see cref="StoredNames"/>: active, completed, incomplete).</summary>
internal enum SessionStatus
{
    Active,

    /// <summary>Finished with every registered file uploaded or already present.</summary>
    Completed,

    /// <summary>Finished with files pending or failed.</summary>
    Incomplete,
}
