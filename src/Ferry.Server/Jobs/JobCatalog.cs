namespace Ferry.Server.Jobs;

/// <summary>Queueing and cancelling upload jobs, for the API and the Jobs page alike: one set of rules.</summary>
internal sealed class JobCatalog(FerryDbContext db, ServerFolders folders, JobWakeUp wakeUp, TimeProvider time, Observability.FerryMetrics metrics)
{
    /// <summary>
    /// Queues an upload of a server folder of the caller's company (callers are users and admins: the API's policy and
    /// the page check the role); a refusal names what is wrong, with its HTTP status: 400 invalid or missing folder,
    /// 403 a folder that is not the company's to read (<see cref="ServerFolders.CheckAsync"/>), 404 project or cycle.
    /// With <paramref name="skipDuplicates"/> the worker does not upload files whose bytes the project already holds.
    /// </summary>
    public async Task<(UploadJob? Job, Refusal? Refusal, int Status)> QueueAsync(Caller caller, long? projectId, long? cycleId, string? localDirectory, string? label, bool skipDuplicates, CancellationToken cancellationToken)
    {
        if (!caller.CanWrite)
        {
            return (null, Refusal.Invalid("only users and admins of the company queue jobs"), StatusCodes.Status403Forbidden);
        }

        if (projectId is not { } project || cycleId is not { } cycle)
        {
            return (null, Refusal.Invalid("give project_id, cycle_id and local_directory"), StatusCodes.Status400BadRequest);
        }

        if (await ProjectLookup.FindAsync(db, caller, project, cancellationToken) is null)
        {
            return (null, Refusal.Invalid($"project {project} was not found"), StatusCodes.Status404NotFound);
        }

        if (!await db.Cycles.AnyAsync(c => c.Id == cycle && c.ProjectId == project, cancellationToken))
        {
            return (null, Refusal.Invalid($"cycle {cycle} of project {project} was not found"), StatusCodes.Status404NotFound);
        }

        var check = await folders.CheckAsync(caller.CompanyId, localDirectory, cancellationToken);
        if (check.Folder is not { } folder)
        {
            return (null, Refusal.Invalid(check.Problem!), check.Forbidden ? StatusCodes.Status403Forbidden : StatusCodes.Status400BadRequest);
        }

        var now = time.GetUtcNow();
        var session = new UploadSession
        {
            CompanyId = caller.CompanyId, ProjectId = project, CycleId = cycle, UserId = caller.UserId, LocalDirectory = folder, Label = label,
            Client = "job", Status = SessionStatus.Active, StartedAt = now, LastActivityAt = now,
        };
        db.Sessions.Add(session);
        await db.SaveChangesAsync(cancellationToken);
        var job = new UploadJob
        {
            CompanyId = caller.CompanyId, ProjectId = project, CycleId = cycle, SessionId = session.Id, UserId = caller.UserId,
            LocalDirectory = folder, Status = JobStatus.Queued, CreatedAt = now, SkipDuplicates = skipDuplicates,
        };
        db.Jobs.Add(job);
        await db.SaveChangesAsync(cancellationToken);
        wakeUp.Notify();
        return (job, null, StatusCodes.Status201Created);
    }

    /// <summary>Cancels a queued job at once (closing its session), a running one at its worker's next heartbeat.</summary>
    public async Task<(UploadJob? Job, Refusal? Refusal)> CancelAsync(Caller caller, long id, CancellationToken cancellationToken)
    {
        var job = await db.Jobs.AsNoTracking().FirstOrDefaultAsync(j => j.Id == id && j.CompanyId == caller.CompanyId, cancellationToken);
        if (job is null)
        {
            return (null, null);
        }

        var now = time.GetUtcNow();
        // Queued: cancelled here, unless a worker claims it in the same instant (then the worker sees the request as it loads the job, or at its next heartbeat).
        var cancelledNow = await db.Jobs.Where(j => j.Id == id && j.Status == JobStatus.Queued).ExecuteUpdateAsync(j => j
            .SetProperty(x => x.Status, JobStatus.Cancelled).SetProperty(x => x.CancelRequested, true)
            .SetProperty(x => x.Message, "cancelled before it started").SetProperty(x => x.FinishedAt, now), cancellationToken);
        if (cancelledNow > 0)
        {
            metrics.CountJobFinished(JobStatus.Cancelled);
            await Sessions.UploadSessions.CloseAsync(db, job.SessionId, now, metrics, stoppedEarly: true, cancellationToken);
        }
        else if (await db.Jobs.Where(j => j.Id == id && j.Status == JobStatus.Running).ExecuteUpdateAsync(j => j.SetProperty(x => x.CancelRequested, true), cancellationToken) == 0)
        {
            return (job, Refusal.Conflict($"job {id} is already {job.Status.Name()}"));
        }

        return (await db.Jobs.AsNoTracking().FirstAsync(j => j.Id == id, cancellationToken), null);
    }
}
