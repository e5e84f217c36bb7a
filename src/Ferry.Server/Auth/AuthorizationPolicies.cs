using Microsoft.AspNetCore.Authorization;

namespace Ferry.Server.Auth;

/// <summary>The server's authorization policies: what a role may do. Company scoping is done by every query, not here.</summary>
internal static class AuthorizationPolicies
{
    /// <summary>Any signed-in user (viewer, user, admin).</summary>
    public const string Read = "read";

    /// <summary>Users and admins: create sessions and upload.</summary>
    public const string Upload = "upload";

    /// <summary>Company administrators: users, projects, cycles.</summary>
    public const string CompanyAdmin = "company-admin";

    /// <summary>Any signed-in user, by API token or by the web app's sign-in cookie: for the read-only streams a browser opens itself (server-sent events), which cannot set an Authorization header.</summary>
    public const string ReadWithCookie = "read-with-cookie";

    /// <summary>The system administrator: companies.</summary>
    public const string SystemAdmin = "system-admin";

    public static void Add(AuthorizationOptions options)
    {
        options.AddPolicy(Read, p => p.RequireAuthenticatedUser().RequireClaim(Caller.CompanyClaim));
        options.AddPolicy(Upload, p => p.RequireAuthenticatedUser().RequireRole(Data.Roles.Admin, Data.Roles.User));
        options.AddPolicy(CompanyAdmin, p => p.RequireAuthenticatedUser().RequireRole(Data.Roles.Admin));
        options.AddPolicy(ReadWithCookie, p => p.AddAuthenticationSchemes(Microsoft.AspNetCore.Authentication.JwtBearer.JwtBearerDefaults.AuthenticationScheme, WebSignIn.Scheme)
            .RequireAuthenticatedUser().RequireClaim(Caller.CompanyClaim));
        options.AddPolicy(SystemAdmin, p => p.RequireAuthenticatedUser().RequireClaim(Caller.SystemAdminClaim, "true"));
        options.AddPolicy(WebSignIn.Policy, p => p.AddAuthenticationSchemes(WebSignIn.Scheme).RequireAuthenticatedUser().RequireClaim(Caller.CompanyClaim));
        options.AddPolicy(WebSignIn.AdminPolicy, p => p.AddAuthenticationSchemes(WebSignIn.Scheme).RequireAuthenticatedUser().RequireRole(Data.Roles.Admin));
        options.FallbackPolicy = options.GetPolicy(Read);
    }
}
