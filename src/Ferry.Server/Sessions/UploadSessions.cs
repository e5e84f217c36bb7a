namespace Ferry.Server.Sessions;

/// <summary>Loading and closing upload sessions: what the API, the pages, the job worker and the exports share.</summary>
internal static class UploadSessions
{
    /// <summary>Closes an active session: completed when every registered file is uploaded or already there, else incomplete.</summary>
    internal static Task<int> CloseAsync(FerryDbContext db, long id, DateTimeOffset now, CancellationToken cancellationToken) =>
        db.Sessions.Where(s => s.Id == id && s.Status == SessionStatuses.Active).ExecuteUpdateAsync(s => s
            .SetProperty(x => x.Status, x => x.UploadedFiles + x.SkippedFiles == x.TotalFiles ? SessionStatuses.Completed : SessionStatuses.Incomplete)
            .SetProperty(x => x.FinishedAt, now)
            .SetProperty(x => x.LastActivityAt, now), cancellationToken);

    /// <summary>The session with its project and cycle when it belongs to the caller's company, else null (answered as 404).</summary>
    internal static async Task<LoadedSession?> LoadAsync(FerryDbContext db, Caller caller, long id, CancellationToken cancellationToken)
    {
        var row = await db.Sessions.AsNoTracking().Where(s => s.Id == id && s.CompanyId == caller.CompanyId)
            .Join(db.Projects, s => s.ProjectId, p => p.Id, (s, p) => new { s, p })
            .Join(db.Cycles, x => x.s.CycleId, c => c.Id, (x, c) => new { x.s, x.p, c })
            .FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
        return row is null ? null : new LoadedSession(row.s, row.p, row.c);
    }
}
