using Quartz;

namespace Ferry.Server.Schedules;

/// <summary>
/// One server-wide schedule: its name (the Quartz job and trigger name, in group <see cref="Group"/>), the job it runs,
/// the rule applied when its fire times were missed, and its trigger as configured (null when it is off).
/// </summary>
internal sealed record FerrySchedule(string Name, string Title, Type JobType, string MisfireRule, Func<FerryServerOptions, TimeSpan, ITrigger?> Trigger)
{
    /// <summary>The Quartz group of Ferry's jobs and triggers.</summary>
    public const string Group = "ferry";

    public const string DonationExport = "donation-export";
    public const string DonationRetention = "donation-retention";
    public const string ExportRetry = "export-retry";
    public const string StalledSessions = "stalled-sessions";

    public JobKey JobKey => new(Name, Group);

    public TriggerKey TriggerKey => new(Name, Group);

    /// <summary>Every schedule, in the order pages and the API show them.</summary>
    public static IReadOnlyList<FerrySchedule> All { get; } =
    [
        new(DonationExport, "Donation export", typeof(DonationExportJob),
            "fire once now: after downtime, one export runs as soon as a process is up (it covers the last N days, so one run catches up), then the schedule continues",
            (options, misfire) => Cron(DonationExport, options.Schedules.DonationExport, misfire, fireOnceNow: true)),
        new(DonationRetention, "Donation retention", typeof(DonationRetentionJob),
            "fire once now: one clean-up runs as soon as a process is up, then the schedule continues",
            (options, misfire) => Cron(DonationRetention, options.Schedules.DonationRetention, misfire, fireOnceNow: true)),
        new(ExportRetry, "Export outbox retry", typeof(ExportRetryJob),
            "skip missed runs: the next run comes one interval after the process is up (each run retries everything due, so nothing is lost)",
            (options, misfire) => TriggerBuilder.Create().WithIdentity(ExportRetry, Group).ForJob(ExportRetry, Group).StartNow().WithMisfireThreshold(misfire)
                .WithSchedule(SimpleScheduleBuilder.Create().WithInterval(options.ExportRetryInterval).RepeatForever()
                    .WithMisfireInstruction(SimpleTriggerMisfireInstruction.NextWithRemainingCount)).Build()),
        new(StalledSessions, "Stalled-session sweep", typeof(StalledSessionsJob),
            "skip missed runs: the next fire time after the process is up runs as usual (each run closes everything stalled by then)",
            (options, misfire) => Cron(StalledSessions, options.Schedules.StalledSessions, misfire, fireOnceNow: false)),
    ];

    public static FerrySchedule? Find(string? name) => All.FirstOrDefault(s => string.Equals(s.Name, name, StringComparison.Ordinal));

    private static ITrigger? Cron(string name, string? expression, TimeSpan misfire, bool fireOnceNow) =>
        ScheduleOptions.CronOrNull(expression) is not { } cron
            ? null
            : TriggerBuilder.Create().WithIdentity(name, Group).ForJob(name, Group).StartNow().WithMisfireThreshold(misfire)
                .WithSchedule(CronScheduleBuilder.Create(cron).InTimeZone(TimeZoneInfo.Utc)
                    .WithMisfireInstruction(fireOnceNow ? CronTriggerMisfireInstruction.FireAndProceed : CronTriggerMisfireInstruction.DoNothing)).Build();
}
