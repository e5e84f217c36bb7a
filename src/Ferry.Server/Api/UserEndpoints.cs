using Ferry.Server.Tenancy;

namespace Ferry.Server.Api;

internal sealed record CreateUserRequest(string? Username, string? Password, string? Role, long? CompanyId);

internal sealed record UserResponse(long Id, string Username, string Role, long CompanyId, bool IsSystemAdmin, DateTimeOffset CreatedAt);

/// <summary><c>/api/users</c>: company administrators manage their own company's users; the system administrator may add users to any company.</summary>
internal static class UserEndpoints
{
    public static RouteGroupBuilder MapUserEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/users").WithTags("Users").RequireAuthorization(AuthorizationPolicies.CompanyAdmin);
        group.MapGet("/", ListAsync).WithSummary("The users of the caller's company (admins).");
        group.MapPost("/", CreateAsync).WithSummary("Creates a user with role admin, user or viewer in the caller's company (the system administrator may name another company).");
        return group;
    }

    private static async Task<Ok<List<UserResponse>>> ListAsync(Caller caller, FerryDbContext db, CancellationToken cancellationToken) =>
        TypedResults.Ok(await db.Users.AsNoTracking().Where(u => u.CompanyId == caller.CompanyId).OrderBy(u => u.Id)
            .Select(u => new UserResponse(u.Id, u.Username, u.Role, u.CompanyId, u.IsSystemAdmin, u.CreatedAt)).ToListAsync(cancellationToken).ConfigureAwait(false));

    private static async Task<Results<Created<UserResponse>, ProblemHttpResult>> CreateAsync(CreateUserRequest request, Caller caller, FerryDbContext db, UserAccounts accounts, CancellationToken cancellationToken)
    {
        var companyId = request.CompanyId ?? caller.CompanyId;
        if (companyId != caller.CompanyId && !caller.IsSystemAdmin)
        {
            return ApiProblems.NotFound($"company {companyId}");
        }

        // Only the system administrator gets here with another company (checked above).
        if (!await db.Companies.AcrossCompanies().AnyAsync(c => c.Id == companyId, cancellationToken).ConfigureAwait(false))
        {
            return ApiProblems.NotFound($"company {companyId}");
        }

        var (user, refusal) = await accounts.CreateAsync(companyId, request.Username, request.Password, request.Role, cancellationToken).ConfigureAwait(false);
        return user is null
            ? ApiProblems.From(refusal!)
            : TypedResults.Created($"/api/users/{user.Id}", new UserResponse(user.Id, user.Username, user.Role, user.CompanyId, user.IsSystemAdmin, user.CreatedAt));
    }
}
