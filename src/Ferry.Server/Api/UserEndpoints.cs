namespace Ferry.Server.Api;

internal sealed record CreateUserRequest(string? Username, string? Password, string? Role, long? CompanyId);

/// <summary>A change of role; <c>IsSystemAdmin</c> is accepted only to be refused: no API makes a system administrator.</summary>
internal sealed record ChangeUserRequest(string? Role, bool? IsSystemAdmin);

internal sealed record ResetPasswordRequest(string? Password);

internal sealed record UserResponse(long Id, string Username, string Role, long CompanyId, bool IsSystemAdmin, DateTimeOffset CreatedAt, bool Active, bool MustChangePassword)
{
    public static UserResponse From(User u) => new(u.Id, u.Username, u.Role, u.CompanyId, u.IsSystemAdmin, u.CreatedAt, u.DeactivatedAt is null, u.MustChangePassword);
}

/// <summary>
/// <c>/api/users</c>: company administrators manage their own company's users; the system administrator may manage
/// users of any company. Other companies' users are "not found" (404). The rules of each change are
/// <see cref="UserAdministration"/>'s; every change signs the user out everywhere at once.
/// </summary>
internal static class UserEndpoints
{
    public static RouteGroupBuilder MapUserEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/users").WithTags("Users").RequireAuthorization(AuthorizationPolicies.CompanyAdmin);
        group.MapGet("/", ListAsync).WithSummary("The users of the caller's company (admins); deleted users are not listed.");
        group.MapPost("/", CreateAsync).WithSummary("Creates a user with role admin, user or viewer in the caller's company (the system administrator may name another company).");
        group.MapGet("/{id:long}", GetAsync).WithSummary("One user of the caller's company (the system administrator: of any company).");
        group.MapPatch("/{id:long}", ChangeAsync).WithSummary("Changes the user's role (admin, user, viewer). 409 when it would leave the company without an active admin.");
        group.MapPost("/{id:long}/deactivate", DeactivateAsync).WithSummary("Deactivates the user: they cannot sign in, their tokens and sign-ins stop working. 409 for yourself or the company's last active admin.");
        group.MapPost("/{id:long}/reactivate", ReactivateAsync).WithSummary("Reactivates the user; they sign in again (earlier tokens stay revoked).");
        group.MapPost("/{id:long}/password-reset", ResetPasswordAsync).WithSummary("Sets a temporary password; the user must change it at next sign-in (until then every other API call is 403). Signs them out everywhere.");
        group.MapDelete("/{id:long}", DeleteAsync).WithSummary("Deletes the user: hidden, never signs in again; their sessions and jobs keep naming them. 409 for yourself or the company's last active admin.");
        return group;
    }

    private static async Task<Ok<List<UserResponse>>> ListAsync(Caller caller, UserAdministration users, CancellationToken cancellationToken) =>
        TypedResults.Ok((await users.ListAsync(caller.CompanyId, cancellationToken)).Select(UserResponse.From).ToList());

    private static async Task<Results<Created<UserResponse>, ProblemHttpResult>> CreateAsync(CreateUserRequest request, Caller caller, CompanyDirectory companies, UserAccounts accounts, CancellationToken cancellationToken)
    {
        // Another company's only for the system administrator (and only one that exists).
        var companyId = request.CompanyId ?? caller.CompanyId;
        if ((companyId != caller.CompanyId && !caller.IsSystemAdmin) || await companies.FindAsync(companyId, cancellationToken) is null)
        {
            return ApiProblems.NotFound($"company {companyId}");
        }

        var (user, refusal) = await accounts.CreateAsync(companyId, request.Username, request.Password, request.Role, cancellationToken);
        return user is null
            ? ApiProblems.From(refusal!)
            : TypedResults.Created($"/api/users/{user.Id}", UserResponse.From(user));
    }

    private static async Task<Results<Ok<UserResponse>, ProblemHttpResult>> GetAsync(long id, Caller caller, UserAdministration users, CancellationToken cancellationToken) =>
        await users.FindAsync(caller, id, cancellationToken) is { } user ? TypedResults.Ok(UserResponse.From(user)) : ApiProblems.NotFound($"user {id}");

    private static async Task<Results<Ok<UserResponse>, ProblemHttpResult>> ChangeAsync(long id, ChangeUserRequest request, Caller caller, UserAdministration users, CancellationToken cancellationToken)
    {
        if (request.IsSystemAdmin is not null)
        {
            return ApiProblems.Forbidden("no API makes or unmakes a system administrator; the system administrator is the account created on first start");
        }

        if (request.Role is null)
        {
            return ApiProblems.BadRequest("give the new role: admin, user or viewer");
        }

        return Answer(await users.ChangeRoleAsync(caller, id, request.Role, cancellationToken));
    }

    private static async Task<Results<Ok<UserResponse>, ProblemHttpResult>> DeactivateAsync(long id, Caller caller, UserAdministration users, CancellationToken cancellationToken) =>
        Answer(await users.DeactivateAsync(caller, id, cancellationToken));

    private static async Task<Results<Ok<UserResponse>, ProblemHttpResult>> ReactivateAsync(long id, Caller caller, UserAdministration users, CancellationToken cancellationToken) =>
        Answer(await users.ReactivateAsync(caller, id, cancellationToken));

    private static async Task<Results<Ok<UserResponse>, ProblemHttpResult>> ResetPasswordAsync(long id, ResetPasswordRequest request, Caller caller, UserAdministration users, CancellationToken cancellationToken) =>
        Answer(await users.ResetPasswordAsync(caller, id, request.Password, cancellationToken));

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(long id, Caller caller, UserAdministration users, CancellationToken cancellationToken)
    {
        var change = await users.DeleteAsync(caller, id, cancellationToken);
        return change.User is null ? Problem(change) : TypedResults.NoContent();
    }

    private static Results<Ok<UserResponse>, ProblemHttpResult> Answer(AccountChange change) =>
        change.User is { } user ? TypedResults.Ok(UserResponse.From(user)) : Problem(change);

    private static ProblemHttpResult Problem(AccountChange change) => change.Status switch
    {
        StatusCodes.Status404NotFound => ApiProblems.NotFound(change.Problem!),
        StatusCodes.Status403Forbidden => ApiProblems.Forbidden(change.Problem!),
        StatusCodes.Status409Conflict => ApiProblems.Conflict(change.Problem!),
        _ => ApiProblems.BadRequest(change.Problem!),
    };
}
