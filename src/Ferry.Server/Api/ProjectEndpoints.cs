namespace Ferry.Server.Api;


/// <summary><c>/api/projects</c>: a project is a bucket; its cycles are prefixes. Everyone in the company reads; admins write.</summary>
internal static class ProjectEndpoints
{
    public static RouteGroupBuilder MapProjectEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/projects").WithTags("Projects");
        group.MapGet("/", ListAsync).WithSummary("The caller's company's projects.");
        group.MapPost("/", CreateAsync).RequireAuthorization(AuthorizationPolicies.CompanyAdmin).WithSummary("Creates a project (admins).");
        group.MapGet("/{id:long}", GetAsync).WithSummary("One project.");
        group.MapPut("/{id:long}", UpdateAsync).RequireAuthorization(AuthorizationPolicies.CompanyAdmin).WithSummary("Changes a project (admins).");
        group.MapDelete("/{id:long}", DeleteAsync).RequireAuthorization(AuthorizationPolicies.CompanyAdmin).WithSummary("Deletes a project without sessions (admins); objects in the bucket are untouched.");
        group.MapGet("/{id:long}/cycles", ListCyclesAsync).WithSummary("The project's cycles.");
        group.MapPost("/{id:long}/cycles", CreateCycleAsync).RequireAuthorization(AuthorizationPolicies.CompanyAdmin).WithSummary("Adds a cycle: a name and the key prefix its files go under (admins).");
        return group;
    }

    private static async Task<Ok<List<ProjectResponse>>> ListAsync(Caller caller, ProjectCatalog catalog, CancellationToken cancellationToken) =>
        TypedResults.Ok((await catalog.ListAsync(caller.CompanyId, cancellationToken)).Select(ToResponse).ToList());

    private static async Task<Results<Ok<ProjectResponse>, ProblemHttpResult>> GetAsync(long id, Caller caller, FerryDbContext db, CancellationToken cancellationToken) =>
        await ProjectLookup.FindAsync(db, caller, id, cancellationToken) is { } project
            ? TypedResults.Ok(ToResponse(project))
            : ApiProblems.NotFound($"project {id}");

    private static async Task<Results<Created<ProjectResponse>, ProblemHttpResult>> CreateAsync(ProjectRequest request, Caller caller, ProjectCatalog catalog, CancellationToken cancellationToken)
    {
        var (project, refusal) = await catalog.CreateAsync(caller.CompanyId, request, cancellationToken);
        return project is null ? ApiProblems.From(refusal!) : TypedResults.Created($"/api/projects/{project.Id}", ToResponse(project));
    }

    private static async Task<Results<Ok<ProjectResponse>, ProblemHttpResult>> UpdateAsync(long id, ProjectRequest request, Caller caller, FerryDbContext db, ProjectCatalog catalog, CancellationToken cancellationToken)
    {
        if (await ProjectLookup.FindAsync(db, caller, id, cancellationToken, tracked: true) is not { } project)
        {
            return ApiProblems.NotFound($"project {id}");
        }

        return await catalog.UpdateAsync(project, request, cancellationToken) is { } refusal
            ? ApiProblems.From(refusal)
            : TypedResults.Ok(ToResponse(project));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(long id, Caller caller, FerryDbContext db, CancellationToken cancellationToken)
    {
        if (await ProjectLookup.FindAsync(db, caller, id, cancellationToken, tracked: true) is not { } project)
        {
            return ApiProblems.NotFound($"project {id}");
        }

        if (await db.Sessions.AnyAsync(s => s.ProjectId == id, cancellationToken))
        {
            return ApiProblems.Conflict("the project has upload sessions, which are its history; it cannot be deleted");
        }

        db.Projects.Remove(project);
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.NoContent();
    }

    private static async Task<Results<Ok<List<CycleResponse>>, ProblemHttpResult>> ListCyclesAsync(long id, Caller caller, FerryDbContext db, ProjectCatalog catalog, CancellationToken cancellationToken)
    {
        if (await ProjectLookup.FindAsync(db, caller, id, cancellationToken) is null)
        {
            return ApiProblems.NotFound($"project {id}");
        }

        return TypedResults.Ok((await catalog.CyclesAsync(id, cancellationToken)).Select(c => new CycleResponse(c.Id, c.ProjectId, c.Name, c.S3Prefix, c.CreatedAt)).ToList());
    }

    private static async Task<Results<Created<CycleResponse>, ProblemHttpResult>> CreateCycleAsync(long id, CycleRequest request, Caller caller, FerryDbContext db, ProjectCatalog catalog, CancellationToken cancellationToken)
    {
        if (await ProjectLookup.FindAsync(db, caller, id, cancellationToken) is null)
        {
            return ApiProblems.NotFound($"project {id}");
        }

        var (cycle, refusal) = await catalog.AddCycleAsync(id, request.Name, request.S3Prefix, cancellationToken);
        return cycle is null
            ? ApiProblems.From(refusal!)
            : TypedResults.Created($"/api/projects/{id}/cycles/{cycle.Id}", new CycleResponse(cycle.Id, id, cycle.Name, cycle.S3Prefix, cycle.CreatedAt));
    }

    /// <summary>Endpoint and profile are the location's (the source of truth), not the project's copies.</summary>
    private static ProjectResponse ToResponse(Project p) => new(p.Id, p.Name, p.BucketName, p.Region,
        p.StorageLocation is { } l ? l.EndpointUrl : p.EndpointUrl,
        p.StorageLocation is { } loc ? (loc.CredentialSource == StorageCredentialSources.Profile ? loc.ProfileName : null) : p.AwsProfile,
        p.CreatedAt, p.StorageLocationId, p.StorageLocation?.Name);
}
