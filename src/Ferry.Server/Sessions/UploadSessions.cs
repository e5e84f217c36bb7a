namespace Ferry.Server.Sessions;

/// <summary>Loading and closing upload sessions: what the API, the pages, the job worker and the exports share.</summary>
internal static class UploadSessions
{
    /// <summary>
    /// Closes an active session: completed when every registered file is uploaded or already there, else incomplete.
    /// A session whose client stopped before it had registered its whole folder (a cancelled or failed job) is
    /// incomplete whatever it registered: <paramref name="stoppedEarly"/>. Returns the status it closed with, or null
    /// when the session was not active (already closed, or not found).
    /// </summary>
    internal static async Task<string?> CloseAsync(FerryDbContext db, long id, DateTimeOffset now, Observability.FerryMetrics metrics, bool stoppedEarly, CancellationToken cancellationToken)
    {
        using var activity = Observability.FerryActivities.StartSession("ferry.session.close", id);
        var changed = await db.Sessions.Where(s => s.Id == id && s.Status == SessionStatus.Active).ExecuteUpdateAsync(s => s
            .SetProperty(x => x.Status, x => !stoppedEarly && x.UploadedFiles + x.SkippedFiles == x.TotalFiles ? SessionStatus.Completed : SessionStatus.Incomplete)
            .SetProperty(x => x.FinishedAt, now)
            .SetProperty(x => x.LastActivityAt, now), cancellationToken);
        if (changed == 0)
        {
            return null;
        }

        var status = (await db.Sessions.AsNoTracking().Where(s => s.Id == id).Select(s => s.Status).FirstAsync(cancellationToken)).Name();
        activity?.SetTag(Observability.FerryActivities.Status, status);
        metrics.CountSessionClosed(status);
        return status;
    }

    /// <summary>The session with its project and cycle when it belongs to the caller's company, else null (answered as 404).</summary>
    internal static async Task<LoadedSession?> LoadAsync(FerryDbContext db, Caller caller, long id, CancellationToken cancellationToken)
    {
        var row = await db.Sessions.AsNoTracking().Where(s => s.Id == id && s.CompanyId == caller.CompanyId)
            .Join(db.Projects, s => s.ProjectId, p => p.Id, (s, p) => new { s, p })
            .Join(db.Cycles, x => x.s.CycleId, c => c.Id, (x, c) => new { x.s, x.p, c })
            .FirstOrDefaultAsync(cancellationToken);
        return row is null ? null : new LoadedSession(row.s, row.p, row.c);
    }
}
