namespace Ferry.Core.Transfer;

/// <summary>How a run ended.</summary>
public enum TransferOutcome
{
    /// <summary>Every file was uploaded and verified, or already present.</summary>
    Completed,
    /// <summary>The run finished but some files failed; see the failures.</summary>
    CompletedWithFailures,
    /// <summary>The run stopped early on a problem no file could get past (credentials, bucket, access).</summary>
    Aborted,
    /// <summary>The run was cancelled; the journal is consistent and a rerun resumes.</summary>
    Interrupted,
}
