using Quartz;

namespace Ferry.Server.Schedules;

/// <summary>
/// Records every run of Ferry's jobs in <c>schedule_runs</c>: a <c>running</c> row when Quartz starts the job, its outcome
/// (<c>succeeded</c> with the job's result, or <c>failed</c> with the error's message) when it ends. What the schedules
/// page and <c>GET /api/schedules</c> show as the last run and outcome. A failure to record is logged, never thrown
/// into Quartz (the run itself goes on).
/// </summary>
internal sealed class ScheduleRunListener(IServiceScopeFactory scopes, TimeProvider time, ILogger<ScheduleRunListener> logger) : IJobListener
{
    /// <summary>The job data key that marks a run started by the system administrator.</summary>
    public const string ManualKey = "ferry.manual";

    /// <summary>How many runs of each schedule <c>schedule_runs</c> keeps.</summary>
    public const int KeptRuns = 200;

    public string Name => "ferry-schedule-runs";

    public async ValueTask JobToBeExecuted(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        await RecordAsync(context, db =>
        {
            db.ScheduleRuns.Add(new ScheduleRun
            {
                Schedule = context.JobDetail.Key.Name,
                FireInstanceId = context.FireInstanceId,
                Instance = context.Scheduler.SchedulerInstanceId,
                Manual = context.MergedJobDataMap.ContainsKey(ManualKey),
                ScheduledFor = context.ScheduledFireTimeUtc ?? context.FireTimeUtc,
                StartedAt = time.GetUtcNow(),
                Outcome = ScheduleRunOutcome.Running,
            });
            return Task.CompletedTask;
        }, cancellationToken);
    }

    public async ValueTask JobWasExecuted(IJobExecutionContext context, JobExecutionException? jobException, CancellationToken cancellationToken)
    {
        await RecordAsync(context, async db =>
        {
            var run = await db.ScheduleRuns.Where(r => r.FireInstanceId == context.FireInstanceId).OrderByDescending(r => r.Id).FirstOrDefaultAsync(cancellationToken);
            if (run is null)
            {
                return;
            }

            run.FinishedAt = time.GetUtcNow();
            run.Outcome = jobException is null ? ScheduleRunOutcome.Succeeded : ScheduleRunOutcome.Failed;
            run.Message = jobException is null ? context.Result as string : (jobException.InnerException ?? jobException).Message;
            if (jobException is not null)
            {
                logger.LogWarning("Schedule {Schedule} failed: {Message}", context.JobDetail.Key.Name, run.Message);
            }

            // Keep the last KeptRuns runs of each schedule (the outbox retry runs every 15 seconds); trimmed every 20th run.
            var oldestKept = run.Id % 20 != 0 ? null : await db.ScheduleRuns.Where(r => r.Schedule == run.Schedule).OrderByDescending(r => r.Id).Skip(KeptRuns - 1).Select(r => (long?)r.Id).FirstOrDefaultAsync(cancellationToken);
            if (oldestKept is { } id)
            {
                await db.ScheduleRuns.Where(r => r.Schedule == run.Schedule && r.Id < id).ExecuteDeleteAsync(cancellationToken);
            }
        }, cancellationToken);
    }

    public ValueTask JobExecutionVetoed(IJobExecutionContext context, CancellationToken cancellationToken) => ValueTask.CompletedTask;

    private async Task RecordAsync(IJobExecutionContext context, Func<FerryDbContext, Task> change, CancellationToken cancellationToken)
    {
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<FerryDbContext>();
            await change(db);
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is System.Data.Common.DbException or DbUpdateException or InvalidOperationException)
        {
            logger.LogError("Could not record the run of schedule {Schedule}: {Message}", context.JobDetail.Key.Name, ex.Message);
        }
    }
}
