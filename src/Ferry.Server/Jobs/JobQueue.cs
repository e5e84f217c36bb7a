namespace Ferry.Server.Jobs;

/// <summary>
/// The job table as a queue shared by any number of workers. Claiming is one statement: on PostgreSQL the candidate
/// row is locked with <c>FOR UPDATE SKIP LOCKED</c>, so concurrent workers on any machine never take the same job;
/// on SQLite the database serializes writers (one worker is the supported set-up). A running job whose heartbeat
/// is older than the timeout is claimable again: its worker died. That holds for one cancelled meanwhile too (no
/// heartbeat was left to see the request), and for one handed back to the queue by a stopping worker just as a cancel
/// came: the worker that claims such a job ends it as cancelled without uploading.
/// </summary>
internal sealed class JobQueue(FerryDbContext db, TimeProvider time)
{
    /// <summary>Claims the oldest claimable job for <paramref name="worker"/>; null when there is none.</summary>
    public async Task<long?> ClaimAsync(string worker, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var at = db.Timestamp(now);
        var stale = db.Timestamp(now - timeout);
        var lockClause = db.Provider == DatabaseProvider.PostgreSql ? "FOR UPDATE SKIP LOCKED" : "";
        var sql = $$"""
            UPDATE upload_jobs SET status = 'running', worker = {0}, heartbeat_at = {1}, started_at = COALESCE(started_at, {1}), attempts = attempts + 1
            WHERE id = (
                SELECT id FROM upload_jobs
                WHERE status = 'queued' OR (status = 'running' AND heartbeat_at < {2})
                ORDER BY id LIMIT 1 {{lockClause}})
            RETURNING id AS "Value"
            """;
        // Only the provider-specific clause above is spliced in (a constant); values are parameters.
        var ids = await db.Database.SqlQueryRaw<long>(sql, worker, at, stale).ToListAsync(cancellationToken);
        return ids.Count == 0 ? null : ids[0];
    }

    /// <summary>
    /// Records that <paramref name="worker"/> is alive on the job. Returns whether it still holds the job (false: it
    /// was taken over) and whether a cancel was asked for.
    /// </summary>
    public async Task<(bool Held, bool CancelRequested)> HeartbeatAsync(long id, string worker, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var changed = await db.Jobs.Where(j => j.Id == id && j.Worker == worker && j.Status == JobStatus.Running)
            .ExecuteUpdateAsync(j => j.SetProperty(x => x.HeartbeatAt, now), cancellationToken);
        if (changed == 0)
        {
            return (false, false);
        }

        var cancel = await db.Jobs.AsNoTracking().Where(j => j.Id == id).Select(j => j.CancelRequested).FirstAsync(cancellationToken);
        return (true, cancel);
    }

    /// <summary>Ends the job with <paramref name="status"/> if <paramref name="worker"/> still holds it.</summary>
    public async Task<bool> FinishAsync(long id, string worker, JobStatus status, string? message, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        return await db.Jobs.Where(j => j.Id == id && j.Worker == worker && j.Status == JobStatus.Running).ExecuteUpdateAsync(j => j
            .SetProperty(x => x.Status, status)
            .SetProperty(x => x.Message, message)
            .SetProperty(x => x.FinishedAt, now)
            .SetProperty(x => x.HeartbeatAt, now), cancellationToken) > 0;
    }

    /// <summary>Gives a job back to the queue (a worker stopping cleanly), so another worker takes it at once.</summary>
    public Task<int> ReleaseAsync(long id, string worker, CancellationToken cancellationToken) =>
        db.Jobs.Where(j => j.Id == id && j.Worker == worker && j.Status == JobStatus.Running).ExecuteUpdateAsync(j => j
            .SetProperty(x => x.Status, JobStatus.Queued)
            .SetProperty(x => x.Worker, (string?)null)
            .SetProperty(x => x.HeartbeatAt, (DateTimeOffset?)null), cancellationToken);
}
