using Quartz;

namespace Ferry.Server.Schedules;

/// <summary>
/// A schedule's job that is one call of an application service (which records its own details): makes the call and
/// gives the run a fixed message (<c>schedule_runs</c>, <c>GET /api/schedules</c>). Never beside a run of itself: Quartz
/// finds <see cref="DisallowConcurrentExecutionAttribute"/> on this base type for every job type that derives from it.
/// </summary>
/// <param name="call">The service's method to run.</param>
/// <param name="message">The run's message when the call returns.</param>
[DisallowConcurrentExecution]
internal abstract class ServiceCallJob(Func<CancellationToken, Task> call, string message) : IJob
{
    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        await call(cancellationToken);
        context.Result = message;
    }
}
