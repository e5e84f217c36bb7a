namespace Ferry.Server.Exports;

/// <summary>
/// The background service behind session exports: settles what a crash left running, then runs queued exports one
/// at a time. Stopping abandons a bundle being built (removed on the next start); one being delivered stays in the
/// outbox. The outbox's bundles that are due are retried by the <c>export-retry</c> schedule (Schedules/ExportRetryJob),
/// once across all processes, every <see cref="FerryServerOptions.ExportRetryInterval"/>.
/// </summary>
internal sealed class SessionExportWorker(SessionExportService exports, ILogger<SessionExportWorker> logger) : QueueWorker(exports, "export", logger);
