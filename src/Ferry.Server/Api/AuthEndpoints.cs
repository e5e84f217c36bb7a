using Ferry.Server.Tenancy;

namespace Ferry.Server.Api;

internal sealed record LoginRequest(string? Username, string? Password);

internal sealed record TokenResponse(string AccessToken, string TokenType, int ExpiresIn);

internal sealed record MeResponse(long Id, string Username, string Role, long CompanyId, string CompanyName, bool IsSystemAdmin);

internal sealed record ChangePasswordRequest(string? CurrentPassword, string? NewPassword);

/// <summary><c>/api/auth</c>: sign in, who am I, change my password.</summary>
internal static class AuthEndpoints
{
    public static RouteGroupBuilder MapAuthEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/auth").WithTags("Auth");
        group.MapPost("/login", LoginAsync).AllowAnonymous()
            .WithSummary("Exchanges a user name and password for a bearer token. Failed attempts are slowed, then refused with 429 for a while.");
        group.MapGet("/me", MeAsync).WithSummary("The signed-in user, role and company.");
        group.MapPost("/password", ChangePasswordAsync).WithSummary("Changes the caller's password; tokens issued before stop working.");
        return group;
    }

    private static async Task<Results<Ok<TokenResponse>, ProblemHttpResult>> LoginAsync(LoginRequest request, HttpContext http, PasswordCheck passwords, TokenIssuer tokens, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(request.Username) || string.IsNullOrEmpty(request.Password))
        {
            return ApiProblems.BadRequest("give both username and password");
        }

        var result = await passwords.CheckAsync(request.Username, request.Password, http.Connection.RemoteIpAddress?.ToString() ?? "unknown", cancellationToken).ConfigureAwait(false);
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
        return TypedResults.Ok(new TokenResponse(token, "bearer", expiresIn));
    }

    private static async Task<Results<Ok<MeResponse>, ProblemHttpResult>> MeAsync(Caller caller, FerryDbContext db, CancellationToken cancellationToken)
    {
        var company = await db.Companies.AsNoTracking().Where(c => c.Id == caller.CompanyId).Select(c => c.Name).FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
        return TypedResults.Ok(new MeResponse(caller.UserId, caller.Username, caller.Role, caller.CompanyId, company ?? "", caller.IsSystemAdmin));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> ChangePasswordAsync(ChangePasswordRequest request, Caller caller, UserAccounts accounts, CancellationToken cancellationToken) =>
        await accounts.ChangePasswordAsync(caller.UserId, request.CurrentPassword, request.NewPassword, cancellationToken).ConfigureAwait(false) is { } refusal
            ? ApiProblems.From(refusal)
            : TypedResults.NoContent();
}
