using Quartz;

namespace Ferry.Server.Schedules;

/// <summary>
/// The system administrator's view of the schedules (the API and the page call this): each one's schedule, last and
/// next fire time, and last recorded run; and running one now. Schedules are server-wide: <c>schedule_runs</c> and
/// Quartz's tables belong to no company, so nothing here reads a company's rows.
/// </summary>
internal sealed class ScheduleCatalog(ISchedulerFactory factory, FerryDbContext db)
{
    public async Task<List<ScheduleStatus>> ListAsync(CancellationToken cancellationToken)
    {
        var scheduler = await factory.GetScheduler(cancellationToken);
        var result = new List<ScheduleStatus>();
        foreach (var schedule in FerrySchedule.All)
        {
            var trigger = await scheduler.GetTrigger(schedule.TriggerKey, cancellationToken);
            var last = await db.ScheduleRuns.AsNoTracking().Where(r => r.Schedule == schedule.Name).OrderByDescending(r => r.Id).FirstOrDefaultAsync(cancellationToken);
            result.Add(new ScheduleStatus(schedule.Name, schedule.Title, trigger is null ? null : ScheduleRegistration.Describe(trigger), schedule.MisfireRule,
                trigger?.PreviousFireTimeUtc, trigger?.NextFireTimeUtc,
                last is null ? null : new ScheduleRunStatus(last.Id, last.Manual, last.Instance, last.ScheduledFor, last.StartedAt, last.FinishedAt, last.Outcome.Name(), last.Message)));
        }

        return result;
    }

    /// <summary>The recorded runs of <paramref name="name"/>, newest first (at most <see cref="ScheduleRunListener.KeptRuns"/>); null when there is no such schedule.</summary>
    public async Task<List<ScheduleRunStatus>?> RunsAsync(string name, CancellationToken cancellationToken) =>
        FerrySchedule.Find(name) is null
            ? null
            : await db.ScheduleRuns.AsNoTracking().Where(r => r.Schedule == name).OrderByDescending(r => r.Id)
                .Select(r => new ScheduleRunStatus(r.Id, r.Manual, r.Instance, r.ScheduledFor, r.StartedAt, r.FinishedAt, r.Outcome.Name(), r.Message)).ToListAsync(cancellationToken);

    /// <summary>
    /// Asks the cluster to run <paramref name="name"/> now (whichever process acquires it; never beside a run of the
    /// same schedule). False when there is no such schedule.
    /// </summary>
    public async Task<bool> RunNowAsync(string name, CancellationToken cancellationToken)
    {
        if (FerrySchedule.Find(name) is not { } schedule)
        {
            return false;
        }

        var scheduler = await factory.GetScheduler(cancellationToken);
        await scheduler.TriggerJob(schedule.JobKey, new JobDataMap { [ScheduleRunListener.ManualKey] = true }, cancellationToken);
        return true;
    }
}
