namespace Ferry.Server.Data;

/// <summary>How a schedule's run stands. Stored and shown as its word (<see cref="StoredNames"/>: running, succeeded, failed).</summary>
internal enum ScheduleRunOutcome
{
    Running,
    Succeeded,
    Failed,
}
