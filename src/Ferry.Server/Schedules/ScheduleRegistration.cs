using Quartz;

namespace Ferry.Server.Schedules;

/// <summary>
/// At start, before the scheduler runs: makes the persistent store hold Ferry's jobs and the triggers the
/// configuration asks for. A trigger already stored with the same schedule is left alone — so its fire times, and the
/// ones missed while every process was down, survive a restart and the misfire rule applies to them; a changed
/// schedule replaces it; a schedule turned off is removed (its job stays, so it can still be run by hand). Processes
/// starting together may race: the loser finds the winner's rows.
/// </summary>
internal sealed class ScheduleRegistration(ISchedulerFactory factory, FerryServerOptions options, ILogger<ScheduleRegistration> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var scheduler = await factory.GetScheduler(cancellationToken);
        foreach (var schedule in FerrySchedule.All)
        {
            await RegisterAsync(scheduler, schedule, cancellationToken);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private async Task RegisterAsync(IScheduler scheduler, FerrySchedule schedule, CancellationToken cancellationToken)
    {
        var job = JobBuilder.Create().OfType(schedule.JobType).WithIdentity(schedule.JobKey).WithDescription(schedule.Title).StoreDurably(true).Build();
        var wanted = schedule.Trigger(options, options.Schedules.MisfireThreshold);
        try
        {
            if (await scheduler.GetJobDetail(schedule.JobKey, cancellationToken) is null)
            {
                await scheduler.AddJob(job, new AddJobOptions(), cancellationToken);
            }

            var stored = await scheduler.GetTrigger(schedule.TriggerKey, cancellationToken);
            if (wanted is null)
            {
                if (stored is not null)
                {
                    await scheduler.UnscheduleJob(schedule.TriggerKey, cancellationToken);
                    logger.LogInformation("Schedule {Schedule} is off", schedule.Name);
                }
            }
            else if (stored is null)
            {
                await scheduler.ScheduleJob(wanted, new ScheduleJobOptions(), cancellationToken);
            }
            else if (!Same(stored, wanted))
            {
                await scheduler.RescheduleJob(schedule.TriggerKey, wanted, cancellationToken);
                logger.LogInformation("Schedule {Schedule} changed: {Schedule}", schedule.Name, Describe(wanted));
            }
        }
        catch (ObjectAlreadyExistsException)
        {
            // Another process registered it first.
        }
    }

    /// <summary>The same schedule: cron expression, or interval, and misfire rule.</summary>
    internal static bool Same(ITrigger stored, ITrigger wanted) =>
        Describe(stored) == Describe(wanted) && stored.MisfireInstructionCode == wanted.MisfireInstructionCode && stored.MisfireThreshold == wanted.MisfireThreshold;

    /// <summary>The schedule in words: the cron expression (UTC) or the interval.</summary>
    internal static string Describe(ITrigger trigger) => trigger switch
    {
        ICronTrigger cron => $"cron {cron.CronExpressionString} (UTC)",
        ISimpleTrigger simple => $"every {simple.RepeatInterval}",
        _ => trigger.GetType().Name,
    };
}
