namespace Ferry.Server.Data;

/// <summary>The names of <see cref="JobStatus"/> as the database and the API hold them.</summary>
internal static class JobStatuses
{
    /// <summary>The status's name: queued, running, completed, failed or cancelled.</summary>
    public static string Name(this JobStatus status) => status switch
    {
        JobStatus.Queued => "queued",
        JobStatus.Running => "running",
        JobStatus.Completed => "completed",
        JobStatus.Failed => "failed",
        JobStatus.Cancelled => "cancelled",
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, "not a job status"),
    };

    /// <summary>The status a stored name stands for; throws for a name no job status has.</summary>
    public static JobStatus Parse(string name) => TryParse(name, out var status) ? status : throw new InvalidOperationException($"'{name}' is not a job status");

    public static bool TryParse(string? name, out JobStatus status)
    {
        (var known, status) = name switch
        {
            "queued" => (true, JobStatus.Queued),
            "running" => (true, JobStatus.Running),
            "completed" => (true, JobStatus.Completed),
            "failed" => (true, JobStatus.Failed),
            "cancelled" => (true, JobStatus.Cancelled),
            _ => (false, default),
        };
        return known;
    }

    public static bool IsKnown(string? status) => TryParse(status, out _);

    public static bool IsFinished(this JobStatus status) => status is JobStatus.Completed or JobStatus.Failed or JobStatus.Cancelled;
}
