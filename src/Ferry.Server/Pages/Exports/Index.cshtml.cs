using Microsoft.AspNetCore.Authorization;

namespace Ferry.Server.Pages.Exports;

/// <summary>Company administrators: every audit export with its outcome (delivered, queued and retried, ready, failed), size, duration and attempts.</summary>
[Authorize(Policy = WebSignIn.AdminPolicy)]
public sealed class ExportsIndexModel : FerryPageModel
{
    internal sealed record Row(SessionExport Export, string Project, string Cycle);

    internal List<Row> Rows { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        var rows = await Db.Exports.AsNoTracking().Where(e => e.CompanyId == Caller.CompanyId)
            .Join(Db.Sessions, e => e.SessionId, s => s.Id, (e, s) => new { e, s })
            .Join(Db.Projects, x => x.s.ProjectId, p => p.Id, (x, p) => new { x.e, x.s, p })
            .Join(Db.Cycles, x => x.s.CycleId, c => c.Id, (x, c) => new { x.e, Project = x.p.Name, Cycle = c.Name })
            .OrderByDescending(x => x.e.Id).Take(500).ToListAsync(cancellationToken).ConfigureAwait(false);
        Rows = rows.Select(x => new Row(x.e, x.Project, x.Cycle)).ToList();
    }
}
