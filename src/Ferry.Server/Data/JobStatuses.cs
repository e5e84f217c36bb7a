namespace Ferry.Server.Data;

/// <summary>What a <see cref="JobStatus"/> means beyond its word (<see cref="StoredNames"/>).</summary>
internal static class JobStatuses
{
    public static bool IsFinished(this JobStatus status) => status is JobStatus.Completed or JobStatus.Failed or JobStatus.Cancelled;
}
