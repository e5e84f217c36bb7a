namespace Ferry.Server.Data;

/// <summary>
/// One run of a server-wide schedule (<c>schedule_runs</c>), written when Quartz starts and ends the job: <see cref="Outcome"/>
/// is <see cref="ScheduleRunOutcome.Running"/>, then succeeded or failed with <see cref="Message"/>. Not a company's row.
/// </summary>
internal sealed class ScheduleRun
{
    public long Id { get; set; }
    public required string Schedule { get; set; }

    /// <summary>Quartz's id of this firing, unique across the cluster.</summary>
    public required string FireInstanceId { get; set; }

    /// <summary>The scheduler instance (process) that ran it.</summary>
    public required string Instance { get; set; }

    /// <summary>Started by the system administrator (run now), not by the schedule.</summary>
    public bool Manual { get; set; }

    /// <summary>The fire time this run was for.</summary>
    public DateTimeOffset ScheduledFor { get; set; }

    public DateTimeOffset StartedAt { get; set; }
    public DateTimeOffset? FinishedAt { get; set; }
    public required ScheduleRunOutcome Outcome { get; set; }
    public string? Message { get; set; }
}
