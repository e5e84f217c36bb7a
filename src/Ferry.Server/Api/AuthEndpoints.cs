namespace Ferry.Server.Api;

internal sealed record MeResponse(long Id, string Username, string Role, long CompanyId, string CompanyName, bool IsSystemAdmin);

internal sealed record ChangePasswordRequest(string? CurrentPassword, string? NewPassword);

/// <summary><c>/api/auth</c>: sign in, who am I, change my password.</summary>
internal static class AuthEndpoints
{
    public static RouteGroupBuilder MapAuthEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/auth").WithTags("Auth");
        group.MapPost("/login", LoginAsync).AllowAnonymous()
            .WithSummary("Exchanges a user name (≤ 100 characters) and password (≤ 1,024) for a bearer token. Failed attempts are slowed, then refused with 429 for a while; deactivated users get the wrong-password answer.");
        group.MapPost("/page-token", PageTokenAsync).RequireAuthorization(Auth.WebSignIn.Policy)
            .WithSummary("For the web app's scripts: a fresh page token (15 minutes) for the sign-in cookie. Signing out ends it.");
        group.MapGet("/me", MeAsync).WithSummary("The signed-in user, role and company.");
        group.MapPost("/password", ChangePasswordAsync).WithSummary("Changes the caller's password; tokens issued before stop working. Wrong current passwords count against the sign-in throttle (429).");
        return group;
    }

    private static async Task<Results<Ok<TokenResponse>, ProblemHttpResult>> LoginAsync(LoginRequest request, HttpContext http, PasswordCheck passwords, TokenIssuer tokens, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(request.Username) || string.IsNullOrEmpty(request.Password))
        {
            return ApiProblems.BadRequest("give both username and password");
        }

        if (PasswordCheck.BoundsProblem(request.Username, request.Password) is { } bounds)
        {
            return ApiProblems.BadRequest(bounds);
        }

        var result = await passwords.CheckAsync(request.Username, request.Password, http.Connection.RemoteIpAddress?.ToString() ?? "unknown", cancellationToken);
        if (result.RetryAfter is { } wait)
        {
            http.Response.Headers.RetryAfter = ((int)Math.Ceiling(wait.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
            return ApiProblems.TooManyRequests(result.Problem!);
        }

        if (result.User is not { } user)
        {
            return ApiProblems.Unauthorized(result.Problem!);
        }

        var (token, expiresIn) = tokens.Issue(user);
        return TypedResults.Ok(new TokenResponse(token, "bearer", expiresIn, user.MustChangePassword));
    }

    private static async Task<Results<Ok<TokenResponse>, ProblemHttpResult>> PageTokenAsync(Caller caller, FerryDbContext db, TokenIssuer tokens, CancellationToken cancellationToken)
    {
        var user = await db.Users.AsNoTracking().FirstAsync(u => u.Id == caller.UserId, cancellationToken);
        var (token, expiresIn) = tokens.IssuePageToken(user);
        return TypedResults.Ok(new TokenResponse(token, "bearer", expiresIn, user.MustChangePassword));
    }

    private static async Task<Results<Ok<MeResponse>, ProblemHttpResult>> MeAsync(Caller caller, FerryDbContext db, CancellationToken cancellationToken)
    {
        var company = await db.Companies.AsNoTracking().Where(c => c.Id == caller.CompanyId).Select(c => c.Name).FirstOrDefaultAsync(cancellationToken);
        return TypedResults.Ok(new MeResponse(caller.UserId, caller.Username, caller.Role, caller.CompanyId, company ?? "", caller.IsSystemAdmin));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> ChangePasswordAsync(ChangePasswordRequest request, Caller caller, HttpContext http, UserAccounts accounts, CancellationToken cancellationToken)
    {
        var (refusal, retryAfter) = await accounts.ChangePasswordAsync(caller.UserId, request.CurrentPassword, request.NewPassword, http.Connection.RemoteIpAddress?.ToString() ?? "unknown", cancellationToken);
        if (retryAfter is { } wait)
        {
            http.Response.Headers.RetryAfter = ((int)Math.Ceiling(wait.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
            return ApiProblems.TooManyRequests(refusal!.Message);
        }

        return refusal is null ? TypedResults.NoContent() : ApiProblems.From(refusal);
    }
}
