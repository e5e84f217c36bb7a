using System.Threading.Channels;
using Ferry.Core.Journal;
using Ferry.Core.Transfer;
using Ferry.Server.Sessions;

namespace Ferry.Server.Jobs;

/// <summary>
/// Runs one claimed job: checks the folder again against the job's company's server folders (a root may have been
/// removed, a link swapped since it was queued; then the job fails and nothing is uploaded), registers every file with the job's session
/// (files the project already holds verified are skipped, files this session already verified stay done), then
/// uploads the rest with the verified engine and the worker's journal, and reports each file to the session as the
/// engine verifies it — where the server checks the object once more, as for any client. A heartbeat runs beside it;
/// it stops the run when the job is cancelled or was taken over. A job picked up after its worker died therefore
/// uploads only what its session has not verified.
/// </summary>
internal sealed class JobRunner(IServiceScopeFactory scopes, ProjectStores stores, FerryServerOptions options, TimeProvider time, Observability.FerryMetrics metrics, ILogger<JobRunner> logger)
{
    private const int RegisterBatch = 5_000;
    private const int ReportBatch = 200;

    public async Task RunAsync(long jobId, string worker, CancellationToken stoppingToken)
    {
        using var activity = Observability.FerryActivities.Source.StartActivity("ferry.job.run")?.SetTag(Observability.FerryActivities.JobId, jobId);
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<FerryDbContext>();
        var queue = new JobQueue(db, time);
        var job = await db.Jobs.AsNoTracking().FirstAsync(j => j.Id == jobId, stoppingToken);
        activity?.SetTag(Observability.FerryActivities.SessionId, job.SessionId);
        var loaded = await UploadSessions.LoadAsync(db, new Caller(job.UserId, "", job.CompanyId, Roles.User, false), job.SessionId, stoppingToken);
        if (loaded is null)
        {
            await queue.FinishAsync(jobId, worker, JobStatuses.Failed, "the job's session no longer exists", stoppingToken);
            metrics.CountJobFinished(JobStatuses.Failed);
            activity?.SetTag(Observability.FerryActivities.Status, JobStatuses.Failed);
            return;
        }

        using var run = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        var state = new RunState();
        var heartbeat = HeartbeatAsync(jobId, worker, state, run, stoppingToken);
        string status;
        string? message;
        try
        {
            (status, message) = await UploadAsync(scope.ServiceProvider, job, loaded, run.Token);
        }
        catch (OperationCanceledException) when (run.IsCancellationRequested)
        {
            (status, message) = (JobStatuses.Cancelled, "cancelled");
        }
        finally
        {
            await run.CancelAsync();
            await heartbeat;
        }

        if (state.Lost)
        {
            logger.LogWarning("Job {Job}: another worker took it over; this worker stops", jobId);
            return;
        }

        if (stoppingToken.IsCancellationRequested && !state.CancelRequested)
        {
            // The worker is stopping: give the job back so another worker (or this one, restarted) resumes it at once.
            await queue.ReleaseAsync(jobId, worker, CancellationToken.None);
            logger.LogInformation("Job {Job}: worker stopping, job returned to the queue", jobId);
            return;
        }

        await UploadSessions.CloseAsync(db, job.SessionId, time.GetUtcNow(), metrics, stoppedEarly: status != JobStatuses.Completed, CancellationToken.None);
        await queue.FinishAsync(jobId, worker, status, message, CancellationToken.None);
        metrics.CountJobFinished(status);
        activity?.SetTag(Observability.FerryActivities.Status, status);
        if (status == JobStatuses.Failed)
        {
            activity?.SetStatus(System.Diagnostics.ActivityStatusCode.Error, message);
        }

        logger.LogInformation("Job {Job} ({Folder}) {Status}: {Message}", jobId, job.LocalDirectory, status, message);
    }

    private async Task<(string Status, string? Message)> UploadAsync(IServiceProvider services, UploadJob job, LoadedSession loaded, CancellationToken cancellationToken)
    {
        var check = await services.GetRequiredService<ServerFolders>().CheckAsync(job.CompanyId, job.LocalDirectory, cancellationToken);
        if (check.Folder is not { } folder)
        {
            return (JobStatuses.Failed, $"not started, nothing uploaded: {check.Problem}");
        }

        var files = services.GetRequiredService<SessionFileService>();
        var (remaining, refused) = await RegisterAsync(files, loaded, folder, cancellationToken);
        var prefix = loaded.Cycle.S3Prefix;
        var store = stores.For(loaded.Project).Objects;
        using var journal = TransferJournal.Open(Path.Combine(options.ResolvedDataDirectory, "worker-journal.db"));
        var reporter = new SessionReporter(files, loaded, metrics);
        var writer = reporter.RunAsync();
        TransferSummary summary;
        try
        {
            var engine = new UploadEngine(journal, time);
            summary = await engine.RunAsync(new UploadRequest(folder, store, prefix), new UploadOptions { Filter = PathFilter.All.And(remaining.Contains) },
                new TransferProgress(), reporter, cancellationToken);
        }
        finally
        {
            reporter.Complete();
            await writer;
        }

        cancellationToken.ThrowIfCancellationRequested();
        var failed = summary.Counts.FilesFailed + refused;
        return summary.Outcome switch
        {
            TransferOutcome.Aborted => (JobStatuses.Failed, summary.Message),
            _ when failed > 0 => (JobStatuses.Failed, $"{failed} file(s) failed; see the session's failed files"),
            _ => (JobStatuses.Completed, await DescribeAsync(services, loaded.Session.Id, cancellationToken)),
        };
    }

    /// <summary>The session's totals in words (over every attempt, so a takeover reports the whole job).</summary>
    private static async Task<string> DescribeAsync(IServiceProvider services, long sessionId, CancellationToken cancellationToken)
    {
        var session = await services.GetRequiredService<FerryDbContext>().Sessions.AsNoTracking().FirstAsync(s => s.Id == sessionId, cancellationToken);
        return $"{session.UploadedFiles} uploaded, {session.SkippedFiles} already there, of {session.TotalFiles}";
    }

    /// <summary>Registers the folder's files in batches; returns the paths still to upload and how many paths could not become keys.</summary>
    private static async Task<(HashSet<string> Remaining, int Refused)> RegisterAsync(SessionFileService files, LoadedSession loaded, string folder, CancellationToken cancellationToken)
    {
        var remaining = new HashSet<string>(StringComparer.Ordinal);
        var refused = 0;
        var batch = new List<FileToRegister>(RegisterBatch);
        var scanner = new SourceScanner(folder, new ScanOptions());
        await foreach (var file in scanner.ScanAsync(cancellationToken))
        {
            var (path, problem) = UploadKeys.NormalizePath(file.RelativePath);
            string? key = null;
            if (path is not null)
            {
                (key, problem) = UploadKeys.Build(loaded.Cycle.S3Prefix, path);
            }

            if (problem is not null || path != file.RelativePath)
            {
                refused++;
                continue;
            }

            // The headers the check reads, once more, so the session records each file's capture (Camtrap DP export).
            batch.Add(new FileToRegister(path, path, key!, file.Size, file.LastWriteUtc, Ferry.Core.Checks.FileCaptureReader.Read(file.FullPath)));
            if (batch.Count == RegisterBatch)
            {
                await RegisterBatchAsync(files, loaded, batch, remaining, cancellationToken);
            }
        }

        await RegisterBatchAsync(files, loaded, batch, remaining, cancellationToken);
        return (remaining, refused);
    }

    private static async Task RegisterBatchAsync(SessionFileService files, LoadedSession loaded, List<FileToRegister> batch, HashSet<string> remaining, CancellationToken cancellationToken)
    {
        if (batch.Count == 0)
        {
            return;
        }

        foreach (var registered in await files.RegisterAsync(loaded.Session, batch, cancellationToken))
        {
            if (registered.Status != FileStatuses.Uploaded)
            {
                remaining.Add(registered.Path);
            }
        }

        batch.Clear();
    }

    private async Task HeartbeatAsync(long jobId, string worker, RunState state, CancellationTokenSource run, CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.WorkerHeartbeat);
        try
        {
            while (await timer.WaitForNextTickAsync(run.Token))
            {
                await using var scope = scopes.CreateAsyncScope();
                var queue = new JobQueue(scope.ServiceProvider.GetRequiredService<FerryDbContext>(), time);
                try
                {
                    var (held, cancel) = await queue.HeartbeatAsync(jobId, worker, run.Token);
                    state.Lost = !held;
                    state.CancelRequested = cancel;
                    if (!held || cancel)
                    {
                        await run.CancelAsync();
                    }
                }
                catch (Exception ex) when (ex is System.Data.Common.DbException or InvalidOperationException)
                {
                    logger.LogWarning("Job {Job}: heartbeat failed ({Message}); trying again", jobId, ex.Message);
                }
            }
        }
        catch (OperationCanceledException) when (run.IsCancellationRequested || stoppingToken.IsCancellationRequested)
        {
        }
    }

    private sealed class RunState
    {
        public volatile bool Lost;
        public volatile bool CancelRequested;
    }

    /// <summary>Carries the engine's verdicts to the session in batches, off the engine's threads.</summary>
    private sealed class SessionReporter(SessionFileService files, LoadedSession loaded, Observability.FerryMetrics metrics) : ITransferObserver
    {
        private readonly Channel<FileEvent> _events = Channel.CreateUnbounded<FileEvent>(new UnboundedChannelOptions { SingleReader = true });

        public void OnFileEvent(FileEvent fileEvent)
        {
            if (fileEvent.Outcome is FileOutcomes.Uploaded or FileOutcomes.Present or FileOutcomes.Failed)
            {
                _events.Writer.TryWrite(fileEvent);
            }
        }

        public void OnRetry(string reason) => metrics.CountRetry(reason);

        public void Complete() => _events.Writer.TryComplete();

        public async Task RunAsync()
        {
            var batch = new List<FileEvent>(ReportBatch);
            // Reports already made are written even when the run is being cancelled: they are true.
            while (await _events.Reader.WaitToReadAsync(CancellationToken.None))
            {
                while (batch.Count < ReportBatch && _events.Reader.TryRead(out var next))
                {
                    batch.Add(next);
                }

                await WriteAsync(batch);
                batch.Clear();
            }
        }

        private async Task WriteAsync(List<FileEvent> batch)
        {
            var byPath = await files.FindAsync(loaded.Session.Id, batch.Select(e => e.Path).ToList(), CancellationToken.None);
            var verified = batch.Where(e => e.Outcome != FileOutcomes.Failed && byPath.ContainsKey(e.Path))
                .Select(e => (new UploadReport(e.Path, e.Path, e.ETag, null, e.Sha256), byPath[e.Path])).ToList();
            if (verified.Count > 0)
            {
                await files.CompleteAsync(loaded.Session, loaded.Project, verified, CancellationToken.None);
            }

            var failed = batch.Where(e => e.Outcome == FileOutcomes.Failed && byPath.ContainsKey(e.Path)).Select(e => (byPath[e.Path], e.Reason ?? "failed")).ToList();
            if (failed.Count > 0)
            {
                await files.RecordFailuresAsync(loaded.Session, failed, CancellationToken.None);
            }
        }
    }
}
