using System.Globalization;
using System.Security.Claims;

namespace Ferry.Server.Auth;

/// <summary>
/// Who is calling, as the database says now (role and company are loaded per request by <see cref="TokenValidation"/>,
/// not trusted from the token). Bound as an endpoint parameter.
/// </summary>
internal sealed record Caller(long UserId, string Username, long CompanyId, string Role, bool IsSystemAdmin)
{
    public const string CompanyClaim = "ferry:company";
    public const string SystemAdminClaim = "ferry:system_admin";
    public const string UserIdClaim = "ferry:user_id";

    public bool CanWrite => Role is Data.Roles.Admin or Data.Roles.User;

    public bool IsAdmin => Role == Data.Roles.Admin;

    public static ValueTask<Caller?> BindAsync(HttpContext context) => ValueTask.FromResult(From(context.User));

    public static Caller? From(ClaimsPrincipal principal)
    {
        var id = principal.FindFirstValue(UserIdClaim);
        var company = principal.FindFirstValue(CompanyClaim);
        if (id is null || company is null)
        {
            return null;
        }

        return new Caller(long.Parse(id, CultureInfo.InvariantCulture), principal.Identity?.Name ?? "",
            long.Parse(company, CultureInfo.InvariantCulture), principal.FindFirstValue(ClaimTypes.Role) ?? Data.Roles.Viewer,
            principal.HasClaim(SystemAdminClaim, "true"));
    }
}
