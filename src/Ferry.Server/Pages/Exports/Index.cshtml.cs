using Microsoft.AspNetCore.Authorization;

namespace Ferry.Server.Pages.Exports;

/// <summary>Company administrators: every audit export with its outcome (delivered, queued and retried, ready, failed), size, duration and attempts.</summary>
[Authorize(Policy = WebSignIn.AdminPolicy)]
internal sealed class ExportsIndexModel(FerryDbContext db) : FerryPageModel
{
    private readonly FerryDbContext _db = db;

    internal sealed record Row(SessionExport Export, string Project, string Cycle);

    internal List<Row> Rows { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        var rows = await _db.Exports.AsNoTracking().Where(e => e.CompanyId == Caller.CompanyId)
            .Join(_db.Sessions, e => e.SessionId, s => s.Id, (e, s) => new { e, s })
            .Join(_db.Projects, x => x.s.ProjectId, p => p.Id, (x, p) => new { x.e, x.s, p })
            .Join(_db.Cycles, x => x.s.CycleId, c => c.Id, (x, c) => new { x.e, Project = x.p.Name, Cycle = c.Name })
            .OrderByDescending(x => x.e.Id).Take(500).ToListAsync(cancellationToken);
        Rows = rows.Select(x => new Row(x.e, x.Project, x.Cycle)).ToList();
    }
}
