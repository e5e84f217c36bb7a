namespace Ferry.Server.Api;

internal sealed record CreateCompanyRequest(string? Name);

internal sealed record RenameCompanyRequest(string? Name);

internal sealed record CompanyResponse(long Id, string Name);

/// <summary><c>/api/companies</c>: the system administrator's tenants, over <see cref="CompanyDirectory"/> (the Companies page uses the same service).</summary>
internal static class CompanyEndpoints
{
    public static RouteGroupBuilder MapCompanyEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/companies").WithTags("Companies").RequireAuthorization(AuthorizationPolicies.SystemAdmin);
        group.MapGet("/", ListAsync).WithSummary("Every company (system administrator).");
        group.MapPost("/", CreateAsync).WithSummary("Creates a company (system administrator); then create its first admin with POST /api/users.");
        group.MapPatch("/{id:long}", RenameAsync).WithSummary("Renames a company (system administrator): {name}, 1 to 200 characters, unique.");
        group.MapGet("/{id:long}/users", UsersAsync).WithSummary("A company's users, deleted ones left out (system administrator).");
        return group;
    }

    private static async Task<Ok<List<CompanyResponse>>> ListAsync(CompanyDirectory companies, CancellationToken cancellationToken) =>
        TypedResults.Ok((await companies.ListAsync(cancellationToken)).Select(c => new CompanyResponse(c.Id, c.Name)).ToList());

    private static async Task<Results<Created<CompanyResponse>, ProblemHttpResult>> CreateAsync(CreateCompanyRequest request, CompanyDirectory companies, CancellationToken cancellationToken)
    {
        var (company, refusal) = await companies.CreateAsync(request.Name, cancellationToken);
        return company is null ? ApiProblems.From(refusal!) : TypedResults.Created($"/api/companies/{company.Id}", new CompanyResponse(company.Id, company.Name));
    }

    private static async Task<Results<Ok<CompanyResponse>, ProblemHttpResult>> RenameAsync(long id, RenameCompanyRequest request, CompanyDirectory companies, CancellationToken cancellationToken)
    {
        var (company, refusal) = await companies.RenameAsync(id, request.Name, cancellationToken);
        return company is not null ? TypedResults.Ok(new CompanyResponse(company.Id, company.Name))
            : refusal is not null ? ApiProblems.From(refusal)
            : ApiProblems.NotFound($"company {id}");
    }

    private static async Task<Results<Ok<List<UserResponse>>, ProblemHttpResult>> UsersAsync(long id, CompanyDirectory companies, CancellationToken cancellationToken) =>
        await companies.FindAsync(id, cancellationToken) is null
            ? ApiProblems.NotFound($"company {id}")
            : TypedResults.Ok((await companies.UsersAsync(id, cancellationToken)).Select(UserResponse.From).ToList());
}
