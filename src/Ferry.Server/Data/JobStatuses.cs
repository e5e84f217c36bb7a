namespace Ferry.Server.Data;

/// <summary>Where an upload job stands.</summary>
internal static class JobStatuses
{
    public const string Queued = "queued";
    public const string Running = "running";

    /// <summary>Every file uploaded and verified (or already there).</summary>
    public const string Completed = "completed";

    /// <summary>Finished with files failed, or could not run at all (folder missing, outside the allowed roots); the message says why.</summary>
    public const string Failed = "failed";

    public const string Cancelled = "cancelled";

    public static bool IsKnown(string? status) => status is Queued or Running or Completed or Failed or Cancelled;

    public static bool IsFinished(string status) => status is Completed or Failed or Cancelled;
}
