namespace Ferry.Server.Tenancy;

/// <summary>
/// Whose rows a unit of work may see: the one place where tenancy is decided. <see cref="FerryDbContext"/> applies it as
/// a global query filter to every tenant table (and, through their parents, to cycles, session files, multipart uploads and
/// verified objects), so an endpoint, page or service that forgets to filter by company still sees only the caller's rows.
/// <list type="bullet">
/// <item>Inside an HTTP request: the signed-in caller's company; an anonymous request sees no tenant rows at all
/// (<see cref="NoCompany"/>).</item>
/// <item>Outside any request (background services, workers, <c>ferry db migrate</c>, tests reading the database): every
/// company; such code acts for the system and names the company it works for itself.</item>
/// </list>
/// Code that must look across companies inside a request (sign-in, token checks, global user-name uniqueness, the system
/// administrator's own pages) says so with <see cref="TenantQueries.AcrossCompanies{T}"/>; docs/architecture.md lists every such place.
/// </summary>
internal sealed class TenantScope(IHttpContextAccessor? http)
{
    /// <summary>A company id no row has: what an anonymous request is restricted to.</summary>
    public const long NoCompany = -1;

    /// <summary>No request: every company (for <c>ferry db migrate</c> and other code outside a host).</summary>
    public static TenantScope System { get; } = new(null);

    /// <summary>The company whose rows may be seen; null when every company's may (no HTTP request).</summary>
    public long? CompanyId => http?.HttpContext is { } context ? Caller.From(context.User)?.CompanyId ?? NoCompany : null;
}
