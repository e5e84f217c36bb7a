using Ferry.Server.Exports;
using Quartz;

namespace Ferry.Server.Schedules;

/// <summary>Schedule <c>export-retry</c>: every <c>Ferry:ExportRetryInterval</c>, <see cref="SessionExportService.RetryDueAsync"/> retries the outbox's bundles that are due.</summary>
[DisallowConcurrentExecution]
internal sealed class ExportRetryJob(SessionExportService exports) : IJob
{
    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        await exports.RetryDueAsync(cancellationToken);
        context.Result = "retried the exports due";
    }
}
