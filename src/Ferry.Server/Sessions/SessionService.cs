using Ferry.Server.Checks;

namespace Ferry.Server.Sessions;

/// <summary>
/// Upload sessions as a caller sees them: start one (a folder going into a project's cycle), list, read, finish.
/// Every call names the caller; another company's session, project or cycle is not found. The API's
/// <c>/api/sessions</c> endpoints and the job worker's in-process session calls both come here.
/// </summary>
internal sealed class SessionService(FerryDbContext db, TimeProvider time, Observability.FerryMetrics metrics)
{
    /// <summary>The clients a session records (who uploaded it).</summary>
    private static readonly string[] Clients = ["browser", "cli", "api"];

    /// <summary>Starts a session in the caller's company, as the caller.</summary>
    public async Task<(SessionResponse? Session, SessionRefusal? Refusal)> CreateAsync(Caller caller, CreateSessionRequest request, CancellationToken cancellationToken)
    {
        if (request.ProjectId is not { } projectId || request.CycleId is not { } cycleId)
        {
            return (null, SessionRefusal.Invalid("give project_id and cycle_id"));
        }

        if (await ProjectLookup.FindAsync(db, caller, projectId, cancellationToken) is not { } project)
        {
            return (null, SessionRefusal.NotFound($"project {projectId}"));
        }

        var cycle = await db.Cycles.AsNoTracking().FirstOrDefaultAsync(c => c.Id == cycleId && c.ProjectId == projectId, cancellationToken);
        if (cycle is null)
        {
            return (null, SessionRefusal.NotFound($"cycle {cycleId} of project {projectId}"));
        }

        if (request.LocalDirectory is { Length: > 4096 } || request.Label is { Length: > 500 } || (request.Client is { } c && !Clients.Contains(c)))
        {
            return (null, SessionRefusal.Invalid("local_directory may have up to 4,096 characters, label up to 500, and client is browser, cli or api"));
        }

        if (SensorFolderCheck.Problem(request.Checks) is { } checkProblem)
        {
            return (null, SessionRefusal.Invalid(checkProblem));
        }

        var now = time.GetUtcNow();
        var session = new UploadSession
        {
            CompanyId = caller.CompanyId,
            ProjectId = projectId,
            CycleId = cycleId,
            UserId = caller.UserId,
            LocalDirectory = request.LocalDirectory,
            Label = request.Label,
            Client = request.Client ?? "api",
            Status = SessionStatus.Active,
            StartedAt = now,
            LastActivityAt = now,
        };
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        db.Sessions.Add(session);
        await db.SaveChangesAsync(cancellationToken);
        if (request.Checks is { } checks)
        {
            // Its own row, capped: listing sessions never reads it.
            db.SessionCheckResults.Add(SessionCheckStore.Fit(session.Id, checks));
            await db.SaveChangesAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        return (SessionResponse.From(session, project.BucketName, cycle.S3Prefix), null);
    }

    /// <summary>The caller's company's sessions, newest first, up to <paramref name="limit"/> (1–1,000, default 100).</summary>
    public async Task<(List<SessionResponse>? Sessions, SessionRefusal? Refusal)> ListAsync(Caller caller, long? projectId, long? cycleId, string? status, int? limit, CancellationToken cancellationToken)
    {
        if (status is not null && !StoredNames.IsKnown<SessionStatus>(status))
        {
            return (null, SessionRefusal.Invalid("status must be active, completed or incomplete"));
        }

        var query = db.Sessions.AsNoTracking().Where(s => s.CompanyId == caller.CompanyId);
        query = projectId is { } p ? query.Where(s => s.ProjectId == p) : query;
        query = cycleId is { } c ? query.Where(s => s.CycleId == c) : query;
        query = status is not null ? query.Where(s => s.Status == StoredNames.Parse<SessionStatus>(status)) : query;
        var rows = await query.OrderByDescending(s => s.Id).Take(Math.Clamp(limit ?? 100, 1, 1000))
            .Join(db.Projects, s => s.ProjectId, p => p.Id, (s, p) => new { s, p.BucketName })
            .Join(db.Cycles, x => x.s.CycleId, c => c.Id, (x, c) => new { x.s, x.BucketName, c.S3Prefix })
            .ToListAsync(cancellationToken);
        return (rows.OrderByDescending(r => r.s.Id).Select(r => SessionResponse.From(r.s, r.BucketName, r.S3Prefix)).ToList(), null);
    }

    /// <summary>The session with its counters, or not found.</summary>
    public async Task<(SessionResponse? Session, SessionRefusal? Refusal)> GetAsync(Caller caller, long id, CancellationToken cancellationToken) =>
        await UploadSessions.LoadAsync(db, caller, id, cancellationToken) is { } found
            ? (SessionResponse.From(found.Session, found.Project.BucketName, found.Cycle.S3Prefix), null)
            : (null, SessionRefusal.NotFound($"session {id}"));

    /// <summary>
    /// Closes the session: completed when every registered file is uploaded or already there, else incomplete; with
    /// <paramref name="stoppedEarly"/> (a cancelled or failed job) incomplete whatever it registered. A finished session stays as it is.
    /// </summary>
    public async Task<(SessionResponse? Session, SessionRefusal? Refusal)> FinishAsync(Caller caller, long id, bool stoppedEarly, CancellationToken cancellationToken)
    {
        if (await UploadSessions.LoadAsync(db, caller, id, cancellationToken) is not { } found)
        {
            return (null, SessionRefusal.NotFound($"session {id}"));
        }

        await UploadSessions.CloseAsync(db, id, time.GetUtcNow(), metrics, stoppedEarly, cancellationToken);
        var session = await db.Sessions.AsNoTracking().FirstAsync(s => s.Id == id, cancellationToken);
        return (SessionResponse.From(session, found.Project.BucketName, found.Cycle.S3Prefix), null);
    }

    /// <summary>The session when it is the caller's company's and still active; else not found, or finished.</summary>
    public async Task<(LoadedSession? Session, SessionRefusal? Refusal)> LoadActiveAsync(Caller caller, long id, CancellationToken cancellationToken)
    {
        if (await UploadSessions.LoadAsync(db, caller, id, cancellationToken) is not { } found)
        {
            return (null, SessionRefusal.NotFound($"session {id}"));
        }

        return found.Session.Status == SessionStatus.Active ? (found, null) : (null, SessionRefusal.Finished(id));
    }
}
