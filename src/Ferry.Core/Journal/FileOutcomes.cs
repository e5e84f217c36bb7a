namespace Ferry.Core.Journal;

/// <summary>The outcomes recorded per file in <c>session_files.outcome</c>.</summary>
public static class FileOutcomes
{
    /// <summary>Sent and verified in this session.</summary>
    public const string Uploaded = "uploaded";
    /// <summary>Received, verified and renamed into place in this session (ferry download).</summary>
    public const string Downloaded = "downloaded";
    /// <summary>Already in the destination, verified, not sent again.</summary>
    public const string Present = "present";
    /// <summary>Not uploaded by design: symlink, special file, unusable name.</summary>
    public const string Skipped = "skipped";
    /// <summary>Not uploaded (--skip-duplicates): the destination holds the same bytes under another key, which the reason names.</summary>
    public const string Duplicate = "duplicate";
    /// <summary>Could not be uploaded or verified; the reason says why.</summary>
    public const string Failed = "failed";
    /// <summary>Deleted locally after its upload was verified (--move).</summary>
    public const string Moved = "moved";
    /// <summary>Moved to the archive folder after its upload was verified (--archive-to).</summary>
    public const string Archived = "archived";
}
