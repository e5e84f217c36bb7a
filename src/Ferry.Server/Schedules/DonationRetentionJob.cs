using Ferry.Server.Donations;
using Quartz;

namespace Ferry.Server.Schedules;

/// <summary>Schedule <c>donation-retention</c>: <see cref="DonationMaintenance.RetentionAsync"/>, recorded in <c>maintenance_runs</c>.</summary>
[DisallowConcurrentExecution]
internal sealed class DonationRetentionJob(DonationMaintenance maintenance) : IJob
{
    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        await maintenance.RetentionAsync(cancellationToken);
        context.Result = "retention ran; what it deleted is in the donation maintenance runs";
    }
}
