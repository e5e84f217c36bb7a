using Ferry.Server.Jobs;
using Microsoft.AspNetCore.Mvc;

namespace Ferry.Server.Pages.Jobs;

/// <summary>Upload jobs from the server's own folders: queue one (users and admins), follow and cancel them.</summary>
internal sealed class JobsModel(FerryDbContext db, JobCatalog jobs, ProjectCatalog projects, Ferry.Server.Jobs.ServerFolders folders) : FerryPageModel
{
    private readonly FerryDbContext _db = db;
    private readonly JobCatalog _jobs = jobs;
    private readonly ProjectCatalog _projects = projects;
    private readonly Ferry.Server.Jobs.ServerFolders _folders = folders;

    internal sealed record Row(UploadJob Job, string Project, string Cycle, UploadSession Session);

    internal List<Row> Rows { get; private set; } = [];

    internal List<Project> Projects { get; private set; } = [];

    internal List<Cycle> Cycles { get; private set; } = [];

    /// <summary>The caller's company's server folders (never another company's).</summary>
    public IReadOnlyList<string> Roots { get; private set; } = [];

    public bool CanQueue => Caller.CanWrite;

    /// <summary>Whether the page should refresh itself (a job is waiting or running).</summary>
    public bool AnyOpen => Rows.Any(r => !r.Job.Status.IsFinished());

    [BindProperty] public long? CycleId { get; set; }
    [BindProperty] public string? LocalDirectory { get; set; }
    [BindProperty] public bool SkipDuplicates { get; set; }

    public async Task OnGetAsync(CancellationToken cancellationToken) => await LoadAsync(cancellationToken);

    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        if (!CanQueue)
        {
            return Forbid();
        }

        var cycle = CycleId is { } id ? await _db.Cycles.AsNoTracking().FirstOrDefaultAsync(c => c.Id == id, cancellationToken) : null;
        var (job, refusal, _) = await _jobs.QueueAsync(Caller, cycle?.ProjectId ?? 0, CycleId, LocalDirectory, null, SkipDuplicates, cancellationToken);
        if (job is not null)
        {
            return Redirect("/jobs");
        }

        Error = refusal!.Sentence;
        return await ShowAsync(cancellationToken);
    }

    public async Task<IActionResult> OnPostCancelAsync(long id, CancellationToken cancellationToken)
    {
        if (!CanQueue)
        {
            return Forbid();
        }

        var (job, refusal) = await _jobs.CancelAsync(Caller, id, cancellationToken);
        if (job is null || refusal is not null)
        {
            Error = refusal?.Sentence ?? "That job was not found.";
            return await ShowAsync(cancellationToken);
        }

        return Redirect("/jobs");
    }

    private protected override async Task LoadAsync(CancellationToken cancellationToken)
    {
        var rows = await _db.Jobs.AsNoTracking().Where(j => j.CompanyId == Caller.CompanyId)
            .Join(_db.Sessions, j => j.SessionId, s => s.Id, (j, s) => new { j, s })
            .Join(_db.Projects, x => x.j.ProjectId, p => p.Id, (x, p) => new { x.j, x.s, Project = p.Name })
            .Join(_db.Cycles, x => x.j.CycleId, c => c.Id, (x, c) => new { x.j, x.s, x.Project, Cycle = c.Name })
            .OrderByDescending(x => x.j.Id).Take(200).ToListAsync(cancellationToken);
        Rows = rows.Select(x => new Row(x.j, x.Project, x.Cycle, x.s)).ToList();
        if (CanQueue)
        {
            (Projects, Cycles) = await _projects.ListWithCyclesAsync(Caller.CompanyId, cancellationToken);
            Roots = (await _folders.ListAsync(Caller.CompanyId, cancellationToken)).Select(r => r.Path).ToList();
        }
    }
}
