namespace Ferry.Server.Sessions;

/// <summary>
/// The stalled-session sweep (schedule <c>stalled-sessions</c>): an active session whose last activity is older than
/// <c>Ferry:Schedules:StalledSessionAfter</c> is closed the way <c>POST /api/sessions/{id}/finish</c> closes one —
/// <c>completed</c> when every registered file is uploaded or already there, else <c>incomplete</c> with what is pending
/// — so it stops counting as active (the <c>stalled_sessions</c> panel and alert, <c>ferry_active_sessions</c>). Sessions
/// of upload jobs that are queued or running are left to the job worker, which has its own heartbeat and takeover.
/// Runs outside any request, so over every company (<see cref="TenantScope.System"/>).
/// </summary>
internal static class StalledSessions
{
    /// <summary>Closes the stalled sessions; returns how many were closed.</summary>
    internal static Task<int> CloseAsync(FerryDbContext db, TimeSpan idle, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var cutoff = now - idle;
        return db.Sessions
            .Where(s => s.Status == SessionStatus.Active && s.LastActivityAt < cutoff)
            .Where(s => !db.Jobs.Any(j => j.SessionId == s.Id && (j.Status == JobStatus.Queued || j.Status == JobStatus.Running)))
            .ExecuteUpdateAsync(s => s
                .SetProperty(x => x.Status, x => x.UploadedFiles + x.SkippedFiles == x.TotalFiles ? SessionStatus.Completed : SessionStatus.Incomplete)
                .SetProperty(x => x.FinishedAt, now), cancellationToken);
    }
}
