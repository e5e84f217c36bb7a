namespace Ferry.Server.Tenancy;

/// <summary>The explicit, searchable way out of <see cref="TenantScope"/>'s filter.</summary>
internal static class TenantQueries
{
    /// <summary>
    /// The query without the company filter. Only for code that must look across companies inside a request: sign-in,
    /// token checks, global user-name uniqueness, storage ownership checks, and what the system administrator manages.
    /// </summary>
    public static IQueryable<T> AcrossCompanies<T>(this IQueryable<T> query) where T : class => query.IgnoreQueryFilters();
}
