using Ferry.Server.Exports;

namespace Ferry.Server.Schedules;

/// <summary>Schedule <c>export-retry</c>: every <c>Ferry:ExportRetryInterval</c>, <see cref="SessionExportService.RetryDueAsync"/> retries the outbox's bundles that are due.</summary>
internal sealed class ExportRetryJob(SessionExportService exports)
    : ServiceCallJob(exports.RetryDueAsync, "retried the exports due");
