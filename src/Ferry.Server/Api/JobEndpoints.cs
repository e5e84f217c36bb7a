using Ferry.Server.Jobs;

namespace Ferry.Server.Api;

/// <summary>
/// <c>/api/jobs</c>: uploads from folders on the server's own file systems, run by workers. A job is an upload session
/// (client <c>job</c>) plus a queue entry; its progress is the session's. Users and admins queue and cancel; everyone
/// in the company reads. Folders outside <c>Ferry:AllowedRoots</c> (after resolving symbolic links) are refused.
/// </summary>
internal static class JobEndpoints
{
    public static RouteGroupBuilder MapJobEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/jobs").WithTags("Jobs");
        group.MapPost("/", CreateAsync).RequireAuthorization(AuthorizationPolicies.Upload).WithSummary("Queues an upload of a server folder into a project's cycle: {project_id, cycle_id, local_directory}.");
        group.MapGet("/", ListAsync).WithSummary("The company's jobs, newest first; filter by status.");
        group.MapGet("/roots", Roots).RequireAuthorization(AuthorizationPolicies.Upload).WithSummary("The server folders jobs may read from.");
        group.MapGet("/{id:long}", GetAsync).WithSummary("One job: status, worker, heartbeat, attempts, message, and its session.");
        group.MapPost("/{id:long}/cancel", CancelAsync).RequireAuthorization(AuthorizationPolicies.Upload).WithSummary("Cancels a queued job at once, a running one at its worker's next heartbeat.");
        return group;
    }

    private static async Task<Results<Created<JobResponse>, ProblemHttpResult>> CreateAsync(CreateJobRequest request, Caller caller, FerryDbContext db, FerryServerOptions options, TimeProvider time, CancellationToken cancellationToken)
    {
        if (request.ProjectId is not { } projectId || request.CycleId is not { } cycleId)
        {
            return ApiProblems.BadRequest("give project_id, cycle_id and local_directory");
        }

        if (await ProjectEndpoints.FindAsync(db, caller, projectId, cancellationToken).ConfigureAwait(false) is null)
        {
            return ApiProblems.NotFound($"project {projectId}");
        }

        if (!await db.Cycles.AnyAsync(c => c.Id == cycleId && c.ProjectId == projectId, cancellationToken).ConfigureAwait(false))
        {
            return ApiProblems.NotFound($"cycle {cycleId} of project {projectId}");
        }

        var (folder, problem) = AllowedRoots.Check(request.LocalDirectory, options.AllowedRoots);
        if (problem is not null)
        {
            return ApiProblems.BadRequest(problem);
        }

        var now = time.GetUtcNow();
        var session = new UploadSession
        {
            CompanyId = caller.CompanyId, ProjectId = projectId, CycleId = cycleId, UserId = caller.UserId, LocalDirectory = folder, Label = request.Label,
            Client = "job", Status = SessionStatuses.Active, StartedAt = now, LastActivityAt = now,
        };
        db.Sessions.Add(session);
        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        var job = new UploadJob
        {
            CompanyId = caller.CompanyId, ProjectId = projectId, CycleId = cycleId, SessionId = session.Id, UserId = caller.UserId,
            LocalDirectory = folder!, Status = JobStatuses.Queued, CreatedAt = now,
        };
        db.Jobs.Add(job);
        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        return TypedResults.Created($"/api/jobs/{job.Id}", JobResponse.From(job));
    }

    private static async Task<Results<Ok<List<JobResponse>>, ProblemHttpResult>> ListAsync(Caller caller, FerryDbContext db, string? status, int? limit, CancellationToken cancellationToken)
    {
        if (status is not null && !JobStatuses.IsKnown(status))
        {
            return ApiProblems.BadRequest("status is queued, running, completed, failed or cancelled");
        }

        var query = db.Jobs.AsNoTracking().Where(j => j.CompanyId == caller.CompanyId);
        if (status is not null)
        {
            query = query.Where(j => j.Status == status);
        }

        var jobs = await query.OrderByDescending(j => j.Id).Take(Math.Clamp(limit ?? 100, 1, 1000)).ToListAsync(cancellationToken).ConfigureAwait(false);
        return TypedResults.Ok(jobs.Select(JobResponse.From).ToList());
    }

    private static Ok<List<string>> Roots(FerryServerOptions options) => TypedResults.Ok(options.AllowedRoots.ToList());

    private static async Task<Results<Ok<JobResponse>, ProblemHttpResult>> GetAsync(long id, Caller caller, FerryDbContext db, CancellationToken cancellationToken) =>
        await db.Jobs.AsNoTracking().FirstOrDefaultAsync(j => j.Id == id && j.CompanyId == caller.CompanyId, cancellationToken).ConfigureAwait(false) is { } job
            ? TypedResults.Ok(JobResponse.From(job))
            : ApiProblems.NotFound($"job {id}");

    private static async Task<Results<Ok<JobResponse>, ProblemHttpResult>> CancelAsync(long id, Caller caller, FerryDbContext db, TimeProvider time, CancellationToken cancellationToken)
    {
        var job = await db.Jobs.FirstOrDefaultAsync(j => j.Id == id && j.CompanyId == caller.CompanyId, cancellationToken).ConfigureAwait(false);
        if (job is null)
        {
            return ApiProblems.NotFound($"job {id}");
        }

        var now = time.GetUtcNow();
        // Queued: cancelled here, unless a worker claims it in the same instant (then its heartbeat sees the request).
        var cancelledNow = await db.Jobs.Where(j => j.Id == id && j.Status == JobStatuses.Queued).ExecuteUpdateAsync(j => j
            .SetProperty(x => x.Status, JobStatuses.Cancelled).SetProperty(x => x.CancelRequested, true)
            .SetProperty(x => x.Message, "cancelled before it started").SetProperty(x => x.FinishedAt, now), cancellationToken).ConfigureAwait(false);
        if (cancelledNow > 0)
        {
            await SessionEndpoints.CloseAsync(db, job.SessionId, now, cancellationToken).ConfigureAwait(false);
        }
        else if (await db.Jobs.Where(j => j.Id == id && j.Status == JobStatuses.Running).ExecuteUpdateAsync(j => j.SetProperty(x => x.CancelRequested, true), cancellationToken).ConfigureAwait(false) == 0)
        {
            return ApiProblems.Conflict($"job {id} is already {job.Status}");
        }

        var current = await db.Jobs.AsNoTracking().FirstAsync(j => j.Id == id, cancellationToken).ConfigureAwait(false);
        return TypedResults.Ok(JobResponse.From(current));
    }
}

/// <summary>The body of <c>POST /api/jobs</c>.</summary>
internal sealed record CreateJobRequest(long? ProjectId, long? CycleId, string? LocalDirectory, string? Label);

/// <summary>A job as the API shows it.</summary>
internal sealed record JobResponse(long Id, long ProjectId, long CycleId, long SessionId, string LocalDirectory, string Status, string? Worker, DateTimeOffset? HeartbeatAt,
    int Attempts, bool CancelRequested, string? Message, DateTimeOffset CreatedAt, DateTimeOffset? StartedAt, DateTimeOffset? FinishedAt)
{
    public static JobResponse From(UploadJob j) => new(j.Id, j.ProjectId, j.CycleId, j.SessionId, j.LocalDirectory, j.Status, j.Worker, j.HeartbeatAt,
        j.Attempts, j.CancelRequested, j.Message, j.CreatedAt, j.StartedAt, j.FinishedAt);
}
