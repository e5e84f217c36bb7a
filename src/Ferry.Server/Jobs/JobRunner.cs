using Ferry.Client;
using Ferry.Client.Sessions;
using Ferry.Core.Journal;
using Ferry.Core.Transfer;
using Ferry.Server.Sessions;

namespace Ferry.Server.Jobs;

/// <summary>
/// Runs one claimed job: checks the folder again against the job's company's server folders (a root may have been
/// removed, a link swapped since it was queued; then the job fails and nothing is uploaded), then uploads the folder
/// through the job's session exactly as <c>ferry upload --server</c> does — Ferry.Client's <see cref="SessionUpload"/>
/// (register every file with its capture; files the project already holds verified are skipped, files this session
/// already verified stay done), the session store as the verified engine's destination (presigned PUT straight to S3,
/// then verified: see <see cref="InProcessSessionApi.CompleteWitnessedAsync"/>), with the worker's journal — over <see cref="InProcessSessionApi"/>: the
/// Sessions services in process, as the job's user in the job's company. A heartbeat runs beside it; it stops the run
/// when the job is cancelled or was taken over. A job picked up after its worker died therefore uploads only what its
/// session has not verified.
/// </summary>
internal sealed class JobRunner(IServiceScopeFactory scopes, ProjectStores stores, FerryServerOptions options, TimeProvider time, Observability.FerryMetrics metrics, ILogger<JobRunner> logger)
{
    public async Task RunAsync(long jobId, string worker, CancellationToken stoppingToken)
    {
        using var activity = Observability.FerryActivities.Source.StartActivity("ferry.job.run")?.SetTag(Observability.FerryActivities.JobId, jobId);
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<FerryDbContext>();
        var queue = new JobQueue(db, time);
        var job = await db.Jobs.AsNoTracking().FirstAsync(j => j.Id == jobId, stoppingToken);
        activity?.SetTag(Observability.FerryActivities.SessionId, job.SessionId);
        var caller = new Caller(job.UserId, "", job.CompanyId, Roles.User, false);
        var loaded = await UploadSessions.LoadAsync(db, caller, job.SessionId, stoppingToken);
        if (loaded is null)
        {
            await queue.FinishAsync(jobId, worker, JobStatus.Failed, "the job's session no longer exists", stoppingToken);
            metrics.CountJobFinished(JobStatus.Failed);
            activity?.SetTag(Observability.FerryActivities.Status, JobStatus.Failed.Name());
            return;
        }

        if (job.CancelRequested)
        {
            // Cancelled while no worker held it (its worker died, or it was handed back just as the cancel came): no
            // heartbeat saw the request, so it ends here as one would have ended it, with nothing uploaded.
            await EndAsync(db, queue, job, worker, JobStatus.Cancelled, "cancelled", activity);
            return;
        }

        using var run = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        var state = new RunState();
        var heartbeat = HeartbeatAsync(jobId, worker, state, run, stoppingToken);
        JobStatus status;
        string? message;
        try
        {
            (status, message) = await UploadAsync(scope.ServiceProvider, job, caller, loaded, run.Token);
        }
        catch (OperationCanceledException) when (run.IsCancellationRequested)
        {
            (status, message) = (JobStatus.Cancelled, "cancelled");
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

        await EndAsync(db, queue, job, worker, status, message, activity);
    }

    /// <summary>Closes the job's session (incomplete unless completed) and ends the job, counted once: not when another worker holds it by now.</summary>
    private async Task EndAsync(FerryDbContext db, JobQueue queue, UploadJob job, string worker, JobStatus status, string? message, System.Diagnostics.Activity? activity)
    {
        await UploadSessions.CloseAsync(db, job.SessionId, time.GetUtcNow(), metrics, stoppedEarly: status != JobStatus.Completed, CancellationToken.None);
        if (!await queue.FinishAsync(job.Id, worker, status, message, CancellationToken.None))
        {
            logger.LogWarning("Job {Job}: another worker holds it by now; this worker's outcome ({Status}) is not recorded", job.Id, status);
            return;
        }

        metrics.CountJobFinished(status);
        activity?.SetTag(Observability.FerryActivities.Status, status.Name());
        if (status == JobStatus.Failed)
        {
            activity?.SetStatus(System.Diagnostics.ActivityStatusCode.Error, message);
        }

        logger.LogInformation("Job {Job} ({Folder}) {Status}: {Message}", job.Id, job.LocalDirectory, status, message);
    }

    private async Task<(JobStatus Status, string? Message)> UploadAsync(IServiceProvider services, UploadJob job, Caller caller, LoadedSession loaded, CancellationToken cancellationToken)
    {
        var check = await services.GetRequiredService<ServerFolders>().CheckAsync(job.CompanyId, job.LocalDirectory, cancellationToken);
        if (check.Folder is not { } folder)
        {
            return (JobStatus.Failed, $"not started, nothing uploaded: {check.Problem}");
        }

        var prefix = loaded.Cycle.S3Prefix;
        SessionUpload upload;
        try
        {
            upload = await SessionUpload.ResumeAsync(new InProcessSessionApi(scopes, caller, logger), job.SessionId, folder, new ScanOptions(), new SessionUploadOptions
            {
                // A path the server would refuse as a key (control characters, too long) fails the job; the rest go on.
                Accept = path => UploadKeys.NormalizePath(path).Path == path && UploadKeys.Build(prefix, path).Problem is null,
                S3 = stores.PresignedRequests,
            }, cancellationToken);
        }
        catch (FerryApiException ex)
        {
            return (JobStatus.Failed, $"the session refused the files: {ex.Message}");
        }

        using (upload)
        {
            using var journal = TransferJournal.Open(Path.Combine(options.ResolvedDataDirectory, "worker-journal.db"));
            var failures = new JobFailureRecorder(scopes, job.SessionId, metrics);
            var writer = failures.RunAsync();
            TransferSummary summary;
            try
            {
                var engine = new UploadEngine(journal, time);
                // Only what the session has not verified: the rest is done, by this job's earlier attempt or another session.
                summary = await engine.RunAsync(new UploadRequest(folder, upload.Store, upload.Prefix), SessionUpload.WithSessionConcurrency(new UploadOptions { Filter = PathFilter.All.And(upload.Pending.Contains), SkipDuplicates = job.SkipDuplicates }),
                    new TransferProgress(), failures, cancellationToken);
            }
            finally
            {
                failures.Complete();
                await writer;
            }

            cancellationToken.ThrowIfCancellationRequested();
            var failed = summary.Counts.FilesFailed + upload.Refused;
            return summary.Outcome switch
            {
                TransferOutcome.Aborted => (JobStatus.Failed, summary.Message),
                _ when failed > 0 => (JobStatus.Failed, $"{failed} file(s) failed; see the session's failed files"),
                _ => (JobStatus.Completed, await DescribeAsync(services, loaded.Session.Id, cancellationToken)),
            };
        }
    }

    /// <summary>The session's totals in words (over every attempt, so a takeover reports the whole job).</summary>
    private static async Task<string> DescribeAsync(IServiceProvider services, long sessionId, CancellationToken cancellationToken)
    {
        var session = await services.GetRequiredService<FerryDbContext>().Sessions.AsNoTracking().FirstAsync(s => s.Id == sessionId, cancellationToken);
        return $"{session.UploadedFiles} uploaded, {session.SkippedFiles} already there, of {session.TotalFiles}";
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
}
