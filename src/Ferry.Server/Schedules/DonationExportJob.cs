using Ferry.Server.Donations;
using Quartz;

namespace Ferry.Server.Schedules;

/// <summary>Schedule <c>donation-export</c>: <see cref="DonationMaintenance.ExportAsync"/>; each company's export is recorded in <c>maintenance_runs</c>.</summary>
[DisallowConcurrentExecution]
internal sealed class DonationExportJob(DonationMaintenance maintenance) : IJob
{
    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        await maintenance.ExportAsync(cancellationToken);
        context.Result = "exported; each company's export is in the donation maintenance runs";
    }
}
