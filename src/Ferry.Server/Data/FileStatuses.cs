namespace Ferry.Server.Data;

/// <summary>Where a file of a session stands.</summary>
internal static class FileStatuses
{
    public const string Pending = "pending";

    /// <summary>Uploaded in this session and verified by the server.</summary>
    public const string Uploaded = "uploaded";

    /// <summary>Already verified in the bucket (by an earlier session) when registered: not uploaded again.</summary>
    public const string Skipped = "skipped";

    /// <summary>The server checked and the object was missing or wrong; <see cref="SessionFile.LastError"/> says why.</summary>
    public const string Failed = "failed";

    public static bool IsKnown(string? status) => status is Pending or Uploaded or Skipped or Failed;
}
