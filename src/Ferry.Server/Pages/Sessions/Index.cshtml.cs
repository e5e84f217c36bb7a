namespace Ferry.Server.Pages.Sessions;

/// <summary>The company's upload sessions, newest first, filtered by project and status; active ones update live.</summary>
internal sealed class SessionsModel(FerryDbContext db) : FerryPageModel
{
    private readonly FerryDbContext _db = db;

    internal sealed record Row(UploadSession Session, string Project, string Cycle, string User);

    internal List<Project> Projects { get; private set; } = [];

    internal List<Row> Sessions { get; private set; } = [];

    [Microsoft.AspNetCore.Mvc.BindProperty(SupportsGet = true, Name = "project")]
    public long? ProjectId { get; set; }

    [Microsoft.AspNetCore.Mvc.BindProperty(SupportsGet = true, Name = "status")]
    public string? Status { get; set; }

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        Projects = await _db.Projects.AsNoTracking().Where(p => p.CompanyId == Caller.CompanyId).OrderBy(p => p.Name).ToListAsync(cancellationToken);
        var query = _db.Sessions.AsNoTracking().Where(s => s.CompanyId == Caller.CompanyId);
        query = ProjectId is { } project ? query.Where(s => s.ProjectId == project) : query;
        query = string.IsNullOrEmpty(Status) ? query : StoredNames.TryParse(Status, out SessionStatus wanted) ? query.Where(s => s.Status == wanted) : query.Where(s => false);
        var rows = await query.OrderByDescending(s => s.Id).Take(200)
            .Join(_db.Projects, s => s.ProjectId, p => p.Id, (s, p) => new { s, Project = p.Name })
            .Join(_db.Cycles, x => x.s.CycleId, c => c.Id, (x, c) => new { x.s, x.Project, Cycle = c.Name })
            .Join(_db.Users, x => x.s.UserId, u => u.Id, (x, u) => new { x.s, x.Project, x.Cycle, User = u.Username })
            .ToListAsync(cancellationToken);
        Sessions = rows.OrderByDescending(r => r.s.Id).Select(r => new Row(r.s, r.Project, r.Cycle, r.User)).ToList();
    }
}
