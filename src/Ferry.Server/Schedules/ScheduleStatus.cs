namespace Ferry.Server.Schedules;

/// <summary>
/// A schedule as the system administrator sees it: what it is, when it runs (<see cref="Schedule"/> null when off),
/// the last and next fire times Quartz holds, and the last run recorded with its outcome.
/// </summary>
public sealed record ScheduleStatus(
    string Name,
    string Title,
    string? Schedule,
    string MisfireRule,
    DateTimeOffset? PreviousFireTime,
    DateTimeOffset? NextFireTime,
    ScheduleRunStatus? LastRun);

/// <summary>One recorded run: <see cref="Outcome"/> is <c>running</c>, <c>succeeded</c> or <c>failed</c>.</summary>
public sealed record ScheduleRunStatus(long Id, bool Manual, string Instance, DateTimeOffset ScheduledFor, DateTimeOffset StartedAt, DateTimeOffset? FinishedAt, string Outcome, string? Message);
