using Quartz;

namespace Ferry.Server.Schedules;

/// <summary>
/// Schedule <c>stalled-sessions</c>: <see cref="Sessions.StalledSessions.CloseAsync"/> over every company (outside a
/// request: <see cref="TenantScope.System"/>), and the stalled uploads of donation links with it
/// (<see cref="Donations.DonationLinkIntake.SweepAbandonedAsync"/>).
/// </summary>
[DisallowConcurrentExecution]
internal sealed class StalledSessionsJob(IServiceScopeFactory scopes, Donations.DonationLinkIntake links, FerryServerOptions options, TimeProvider time) : IJob
{
    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<FerryDbContext>();
        var closed = await Sessions.StalledSessions.CloseAsync(db, options.Schedules.StalledSessionAfter, time.GetUtcNow(), cancellationToken);
        var swept = await links.SweepAbandonedAsync(db, cancellationToken);
        context.Result = $"closed {closed} session(s) idle for more than {options.Schedules.StalledSessionAfter}; deleted {swept} abandoned donation-link upload(s)";
    }
}
