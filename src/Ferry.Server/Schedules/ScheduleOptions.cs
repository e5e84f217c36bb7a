using Quartz;

namespace Ferry.Server.Schedules;

/// <summary>
/// The server-wide schedules (<c>Ferry:Schedules:*</c>). Cron expressions are Quartz's (seconds first:
/// <c>0 0 2 ? * MON</c> is Mondays at 02:00) and always in UTC; <c>off</c> (or empty) turns a schedule off.
/// The outbox retry keeps its interval in <see cref="FerryServerOptions.ExportRetryInterval"/>.
/// </summary>
public sealed class ScheduleOptions
{
    /// <summary>The value that turns a cron schedule off.</summary>
    public const string Off = "off";

    /// <summary>When each company's donated records of the last <c>Ferry:DonationExportDays</c> days are exported to S3. Default Mondays 02:00 UTC (<c>0 0 2 ? * MON</c>).</summary>
    public string? DonationExport { get; set; } = "0 0 2 ? * MON";

    /// <summary>When donations older than <c>Ferry:DonationRetentionDays</c> are deleted (bundles, records, rows). Default: off (deleting is the operator's decision); e.g. <c>0 30 3 * * ?</c> (daily 03:30 UTC).</summary>
    public string? DonationRetention { get; set; } = Off;

    /// <summary>When active upload sessions idle for longer than <see cref="StalledSessionAfter"/> are closed. Default every 5 minutes (<c>0 0/5 * * * ?</c>).</summary>
    public string? StalledSessions { get; set; } = "0 0/5 * * * ?";

    /// <summary>An active session with no activity (no file registered, presigned, completed or finished) for this long is closed as stalled. Default 24 hours; 1 minute to 365 days.</summary>
    public TimeSpan StalledSessionAfter { get; set; } = TimeSpan.FromHours(24);

    /// <summary>
    /// How late a fire time may be before Quartz treats it as missed (every process was down, or busy) and applies
    /// the schedule's misfire rule instead of firing it late. Default 1 minute; 1 second to 1 day.
    /// </summary>
    public TimeSpan MisfireThreshold { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How often a process records in the database (PostgreSQL) that its scheduler is alive; after four missed check-ins another process treats it as gone and takes over its runs. Default 7.5 seconds; 1 second to 10 minutes.</summary>
    public TimeSpan ClusterCheckinInterval { get; set; } = TimeSpan.FromSeconds(7.5);

    /// <summary>The cron expression, or null when the schedule is off.</summary>
    internal static string? CronOrNull(string? value) => string.IsNullOrWhiteSpace(value) || string.Equals(value.Trim(), Off, StringComparison.OrdinalIgnoreCase) ? null : value.Trim();

    /// <summary>Throws <see cref="ArgumentException"/> naming the setting and what is wrong with it.</summary>
    public void Validate()
    {
        foreach (var (key, value) in new[] { ("DonationExport", DonationExport), ("DonationRetention", DonationRetention), ("StalledSessions", StalledSessions) })
        {
            if (CronOrNull(value) is { } cron && !CronExpression.TryParse(cron, out _))
            {
                throw new ArgumentException($"Ferry:Schedules:{key} '{cron}' is not a Quartz cron expression (seconds minutes hours day-of-month month day-of-week, e.g. '0 0 2 ? * MON'), or 'off'");
            }
        }

        if (StalledSessionAfter < TimeSpan.FromMinutes(1) || StalledSessionAfter > TimeSpan.FromDays(365))
        {
            throw new ArgumentException("Ferry:Schedules:StalledSessionAfter must be from 1 minute to 365 days");
        }

        if (MisfireThreshold < TimeSpan.FromSeconds(1) || MisfireThreshold > TimeSpan.FromDays(1)
            || ClusterCheckinInterval < TimeSpan.FromSeconds(1) || ClusterCheckinInterval > TimeSpan.FromMinutes(10))
        {
            throw new ArgumentException("Ferry:Schedules:MisfireThreshold must be from 1 second to 1 day and Ferry:Schedules:ClusterCheckinInterval from 1 second to 10 minutes");
        }
    }
}
