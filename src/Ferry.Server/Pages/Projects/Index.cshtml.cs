using Microsoft.AspNetCore.Mvc;

namespace Ferry.Server.Pages.Projects;

/// <summary>The company's projects; administrators create them here.</summary>
internal sealed class ProjectsModel(FerryDbContext db, ProjectCatalog projects, Ferry.Server.Storage.StorageLocationCatalog storage) : FerryPageModel
{
    private readonly FerryDbContext _db = db;
    private readonly ProjectCatalog _projects = projects;
    private readonly Ferry.Server.Storage.StorageLocationCatalog _storage = storage;

    internal List<Project> Projects { get; private set; } = [];

    internal List<Cycle> Cycles { get; private set; } = [];

    public bool CanEdit => Caller.IsAdmin;

    [BindProperty] public string? Name { get; set; }
    [BindProperty] public string? BucketName { get; set; }
    [BindProperty] public string? Region { get; set; }
    [BindProperty] public long? StorageLocationId { get; set; }

    /// <summary>The company's storage grants: the locations and bucket patterns a project may use.</summary>
    internal List<Ferry.Server.Storage.CompanyGrantResponse> Grants { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken cancellationToken) => await LoadAsync(cancellationToken);

    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        if (!Caller.IsAdmin)
        {
            return Forbid();
        }

        var (project, refusal) = await _projects.CreateAsync(Caller.CompanyId, new ProjectRequest(Name, BucketName, Region, null, null, StorageLocationId), cancellationToken);
        if (project is not null)
        {
            return Redirect($"/projects/{project.Id}");
        }

        Error = refusal!.Sentence;
        await LoadAsync(cancellationToken);
        return Page();
    }

    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        Projects = await _db.Projects.AsNoTracking().Where(p => p.CompanyId == Caller.CompanyId).OrderBy(p => p.Name).ToListAsync(cancellationToken);
        var ids = Projects.Select(p => p.Id).ToList();
        Cycles = await _db.Cycles.AsNoTracking().Where(c => ids.Contains(c.ProjectId)).OrderBy(c => c.Id).ToListAsync(cancellationToken);
        Grants = await _storage.GrantsOfAsync(Caller.CompanyId, cancellationToken);
    }
}
