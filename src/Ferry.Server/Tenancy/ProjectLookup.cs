namespace Ferry.Server.Tenancy;

/// <summary>Finding a project of the caller's company, for the API, the pages and the job queue alike.</summary>
internal static class ProjectLookup
{
    /// <summary>The project when it belongs to the caller's company, else null (answered as 404).</summary>
    internal static Task<Project?> FindAsync(FerryDbContext db, Caller caller, long id, CancellationToken cancellationToken, bool tracked = false) =>
        (tracked ? db.Projects : db.Projects.AsNoTracking()).FirstOrDefaultAsync(p => p.Id == id && p.CompanyId == caller.CompanyId, cancellationToken);
}
