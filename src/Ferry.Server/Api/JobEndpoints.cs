using Ferry.Server.Jobs;

namespace Ferry.Server.Api;

/// <summary>
/// <c>/api/jobs</c>: uploads from folders on the server's own file systems, run by workers. A job is an upload session
/// (client <c>job</c>) plus a queue entry; its progress is the session's. Users and admins queue and cancel; everyone
/// in the company reads. Only folders inside the company's server folders (roots, managed by the system administrator
/// under <c>/api/companies/{id}/roots</c>) and the operator's <c>Ferry:AllowedRoots</c> are accepted: see <see cref="ServerFolders"/>.
/// </summary>
internal static class JobEndpoints
{
    public static RouteGroupBuilder MapJobEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/jobs").WithTags("Jobs");
        group.MapPost("/", CreateAsync).RequireAuthorization(AuthorizationPolicies.Upload).WithSummary("Queues an upload of a server folder into a project's cycle: {project_id, cycle_id, local_directory}.");
        group.MapGet("/", ListAsync).WithSummary("The company's jobs, newest first; filter by status.");
        group.MapGet("/roots", RootsAsync).RequireAuthorization(AuthorizationPolicies.Upload).WithSummary("The caller's company's server folders, which its jobs may read from.");
        group.MapGet("/{id:long}", GetAsync).WithSummary("One job: status, worker, heartbeat, attempts, message, and its session.");
        group.MapPost("/{id:long}/cancel", CancelAsync).RequireAuthorization(AuthorizationPolicies.Upload).WithSummary("Cancels a queued job at once, a running one at its worker's next heartbeat.");
        return group;
    }

    private static async Task<Results<Created<JobResponse>, ProblemHttpResult>> CreateAsync(CreateJobRequest request, Caller caller, JobCatalog jobs, CancellationToken cancellationToken)
    {
        var (job, refusal, status) = await jobs.QueueAsync(caller, request.ProjectId, request.CycleId, request.LocalDirectory, request.Label, request.SkipDuplicates ?? false, cancellationToken);
        if (job is null)
        {
            return status switch
            {
                StatusCodes.Status404NotFound => TypedResults.Problem(refusal!.Message, statusCode: status, title: "Not found"),
                StatusCodes.Status403Forbidden => ApiProblems.Forbidden(refusal!.Message),
                _ => ApiProblems.From(refusal!),
            };
        }

        return TypedResults.Created($"/api/jobs/{job.Id}", JobResponse.From(job));
    }

    private static async Task<Results<Ok<List<JobResponse>>, ProblemHttpResult>> ListAsync(Caller caller, FerryDbContext db, string? status, int? limit, CancellationToken cancellationToken)
    {
        JobStatus wanted = default;
        if (status is not null && !StoredNames.TryParse(status, out wanted))
        {
            return ApiProblems.BadRequest("status is queued, running, completed, failed or cancelled");
        }

        var query = db.Jobs.AsNoTracking().Where(j => j.CompanyId == caller.CompanyId);
        if (status is not null)
        {
            query = query.Where(j => j.Status == wanted);
        }

        var jobs = await query.OrderByDescending(j => j.Id).Take(Math.Clamp(limit ?? 100, 1, 1000)).ToListAsync(cancellationToken);
        return TypedResults.Ok(jobs.Select(JobResponse.From).ToList());
    }

    private static async Task<Ok<List<string>>> RootsAsync(Caller caller, ServerFolders folders, CancellationToken cancellationToken) =>
        TypedResults.Ok((await folders.ListAsync(caller.CompanyId, cancellationToken)).Select(r => r.Path).ToList());

    private static async Task<Results<Ok<JobResponse>, ProblemHttpResult>> GetAsync(long id, Caller caller, FerryDbContext db, CancellationToken cancellationToken) =>
        await db.Jobs.AsNoTracking().FirstOrDefaultAsync(j => j.Id == id && j.CompanyId == caller.CompanyId, cancellationToken) is { } job
            ? TypedResults.Ok(JobResponse.From(job))
            : ApiProblems.NotFound($"job {id}");

    private static async Task<Results<Ok<JobResponse>, ProblemHttpResult>> CancelAsync(long id, Caller caller, JobCatalog jobs, CancellationToken cancellationToken)
    {
        var (job, refusal) = await jobs.CancelAsync(caller, id, cancellationToken);
        return job is null ? ApiProblems.NotFound($"job {id}") : refusal is not null ? ApiProblems.From(refusal) : TypedResults.Ok(JobResponse.From(job));
    }
}

/// <summary>How the API shows a job.</summary>
internal static class JobResponseMapping
{
    extension(JobResponse)
    {
        public static JobResponse From(UploadJob j) => new(j.Id, j.ProjectId, j.CycleId, j.SessionId, j.LocalDirectory, j.Status.Name(), j.Worker, j.HeartbeatAt,
            j.Attempts, j.CancelRequested, j.Message, j.CreatedAt, j.StartedAt, j.FinishedAt, j.SkipDuplicates);
    }
}
