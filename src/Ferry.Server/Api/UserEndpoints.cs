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

    private static async Task<Results<Created<UserResponse>, ProblemHttpResult>> CreateAsync(CreateUserRequest request, Caller caller, FerryDbContext db, TimeProvider time, CancellationToken cancellationToken)
    {
        var companyId = request.CompanyId ?? caller.CompanyId;
        if (companyId != caller.CompanyId && !caller.IsSystemAdmin)
        {
            return ApiProblems.NotFound($"company {companyId}");
        }

        if (!await db.Companies.AnyAsync(c => c.Id == companyId, cancellationToken).ConfigureAwait(false))
        {
            return ApiProblems.NotFound($"company {companyId}");
        }

        var username = request.Username?.Trim();
        if (string.IsNullOrEmpty(username) || username.Length > 100 || username.Any(char.IsControl) || username.Any(char.IsWhiteSpace))
        {
            return ApiProblems.BadRequest("give a user name of 1 to 100 characters without spaces");
        }

        if (!Roles.IsKnown(request.Role))
        {
            return ApiProblems.BadRequest("role must be admin, user or viewer");
        }

        if (PasswordHashing.Problem(request.Password, username) is { } problem)
        {
            return ApiProblems.BadRequest(problem);
        }

        if (await db.Users.AnyAsync(u => u.Username == username, cancellationToken).ConfigureAwait(false))
        {
            return ApiProblems.Conflict($"the user name '{username}' is taken; pick another");
        }

        var now = time.GetUtcNow();
        var user = new User { CompanyId = companyId, Username = username, PasswordHash = PasswordHashing.Hash(request.Password!), Role = request.Role!, CreatedAt = now, PasswordChangedAt = now };
        db.Users.Add(user);
        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        return TypedResults.Created($"/api/users/{user.Id}", new UserResponse(user.Id, user.Username, user.Role, user.CompanyId, user.IsSystemAdmin, user.CreatedAt));
    }
}
