namespace Ferry.Server.Exports;

/// <summary>Finding an export of the caller's company, for the API and the download page alike.</summary>
internal static class SessionExports
{
    /// <summary>The export when it belongs to the caller's company, else null (answered as 404).</summary>
    internal static Task<SessionExport?> FindAsync(FerryDbContext db, Caller caller, long id, CancellationToken cancellationToken) =>
        db.Exports.AsNoTracking().FirstOrDefaultAsync(e => e.Id == id && e.CompanyId == caller.CompanyId, cancellationToken);
}
