namespace Ferry.Server.Api;

internal sealed record CreateCompanyRequest(string? Name);

internal sealed record CompanyResponse(long Id, string Name);

/// <summary><c>/api/companies</c>: the system administrator's tenants.</summary>
internal static class CompanyEndpoints
{
    public static RouteGroupBuilder MapCompanyEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/companies").WithTags("Companies").RequireAuthorization(AuthorizationPolicies.SystemAdmin);
        group.MapGet("/", ListAsync).WithSummary("Every company (system administrator).");
        group.MapPost("/", CreateAsync).WithSummary("Creates a company (system administrator); then create its first admin with POST /api/users.");
        return group;
    }

    private static async Task<Ok<List<CompanyResponse>>> ListAsync(FerryDbContext db, CancellationToken cancellationToken) =>
        TypedResults.Ok(await db.Companies.AcrossCompanies().AsNoTracking().OrderBy(c => c.Id).Select(c => new CompanyResponse(c.Id, c.Name)).ToListAsync(cancellationToken).ConfigureAwait(false));

    private static async Task<Results<Created<CompanyResponse>, ProblemHttpResult>> CreateAsync(CreateCompanyRequest request, FerryDbContext db, TimeProvider time, CancellationToken cancellationToken)
    {
        var name = request.Name?.Trim();
        if (string.IsNullOrEmpty(name) || name.Length > 200)
        {
            return ApiProblems.BadRequest("give the company a name of 1 to 200 characters");
        }

        if (await db.Companies.AcrossCompanies().AnyAsync(c => c.Name == name, cancellationToken).ConfigureAwait(false))
        {
            return ApiProblems.Conflict($"a company named '{name}' already exists; pick another name");
        }

        var company = new Company { Name = name, CreatedAt = time.GetUtcNow() };
        db.Companies.Add(company);
        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        return TypedResults.Created($"/api/companies/{company.Id}", new CompanyResponse(company.Id, company.Name));
    }
}
