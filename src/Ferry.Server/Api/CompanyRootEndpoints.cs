using Ferry.Server.Jobs;

namespace Ferry.Server.Api;

/// <summary>
/// <c>/api/companies/{id}/roots</c>: the system administrator gives each company the server folders its upload jobs
/// may read (inside the operator's <c>Ferry:AllowedRoots</c>). Companies see their own with <c>GET /api/jobs/roots</c>.
/// </summary>
internal static class CompanyRootEndpoints
{
    public static RouteGroupBuilder MapCompanyRootEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/companies/{id:long}/roots").WithTags("Companies").RequireAuthorization(AuthorizationPolicies.SystemAdmin);
        group.MapGet("/", ListAsync).WithSummary("The company's server folders (system administrator).");
        group.MapPost("/", AddAsync).WithSummary("Gives the company a server folder: {path}, absolute, inside Ferry:AllowedRoots (system administrator).");
        group.MapDelete("/", RemoveAsync).WithSummary("Takes a server folder from the company: ?path=/abs/dir (system administrator); its queued jobs fail when started.");
        return group;
    }

    private static async Task<Results<Ok<List<RootResponse>>, ProblemHttpResult>> ListAsync(long id, CompanyDirectory companies, ServerFolders folders, CancellationToken cancellationToken) =>
        await companies.FindAsync(id, cancellationToken) is null
            ? ApiProblems.NotFound($"company {id}")
            : TypedResults.Ok((await folders.ListAsync(id, cancellationToken)).Select(r => new RootResponse(r.Path, r.CreatedAt)).ToList());

    private static async Task<Results<Created<RootResponse>, ProblemHttpResult>> AddAsync(long id, AddRootRequest request, CompanyDirectory companies, ServerFolders folders, CancellationToken cancellationToken)
    {
        if (await companies.FindAsync(id, cancellationToken) is null)
        {
            return ApiProblems.NotFound($"company {id}");
        }

        var (root, refusal) = await folders.AddAsync(id, request.Path, cancellationToken);
        return root is null ? ApiProblems.From(refusal!) : TypedResults.Created($"/api/companies/{id}/roots", new RootResponse(root.Path, root.CreatedAt));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> RemoveAsync(long id, string? path, ServerFolders folders, CancellationToken cancellationToken) =>
        await folders.RemoveAsync(id, path, cancellationToken)
            ? TypedResults.NoContent()
            : ApiProblems.NotFound($"server folder {path} of company {id}");
}
