namespace Ferry.Server.Data;

/// <summary>Where a session stands.</summary>
internal static class SessionStatuses
{
    public const string Active = "active";

    /// <summary>Finished with every registered file uploaded or already present.</summary>
    public const string Completed = "completed";

    /// <summary>Finished with files pending or failed.</summary>
    public const string Incomplete = "incomplete";

    public static bool IsKnown(string? status) => status is Active or Completed or Incomplete;
}
