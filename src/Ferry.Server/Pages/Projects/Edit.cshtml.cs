using Microsoft.AspNetCore.Mvc;

namespace Ferry.Server.Pages.Projects;

/// <summary>One project: its settings (administrators edit) and its cycles (administrators add).</summary>
internal sealed class ProjectEditModel(FerryDbContext db, ProjectCatalog projects, Ferry.Server.Storage.StorageLocationCatalog storage, Camtrap.CamtrapExportService camtrap, FerryServerOptions serverOptions) : FerryPageModel
{
    /// <summary>The longest a package's presigned media links may live on this server (the card offers no longer).</summary>
    internal TimeSpan CamtrapLinkCeiling { get; } = serverOptions.CamtrapLinkLifetime ?? serverOptions.PresignLifetime;

    private readonly Camtrap.CamtrapExportService _camtrap = camtrap;
    private readonly FerryDbContext _db = db;
    private readonly ProjectCatalog _projects = projects;
    private readonly Ferry.Server.Storage.StorageLocationCatalog _storage = storage;

    internal Project? Project { get; private set; }

    internal List<Cycle> Cycles { get; private set; } = [];

    public bool CanEdit => Caller.IsAdmin;

    [BindProperty] public string? Name { get; set; }
    [BindProperty] public string? BucketName { get; set; }
    [BindProperty] public string? Region { get; set; }
    [BindProperty] public long? StorageLocationId { get; set; }

    /// <summary>The company's storage grants: the locations and bucket patterns a project may use.</summary>
    internal List<Ferry.Server.Storage.CompanyGrantResponse> Grants { get; private set; } = [];
    [BindProperty] public string? CycleName { get; set; }
    [BindProperty] public string? CyclePrefix { get; set; }

    public async Task<IActionResult> OnGetAsync(long id, CancellationToken cancellationToken)
    {
        await LoadAsync(id, cancellationToken);
        return Project is null ? NotFound() : Page();
    }

    /// <summary>Users and admins may export a Camtrap DP package (its media rows carry URLs to the objects).</summary>
    public bool CanExport => Caller.CanWrite;

    /// <summary>The "Camtrap DP package" button: the same export as POST /api/projects/{id}/camtrap-dp, as a download.</summary>
    public async Task<IActionResult> OnPostCamtrapDpAsync(long id, long? camtrapCycleId, int? presignHours, string? utcOffset, IFormFile? locations, CancellationToken cancellationToken)
    {
        if (!Caller.CanWrite)
        {
            return Forbid();
        }

        string? csv = null;
        if (locations is { Length: > 0 })
        {
            if (locations.Length > Camtrap.CamtrapExportOptions.MaxLocationsChars)
            {
                Error = $"The locations CSV is larger than {Camtrap.CamtrapExportOptions.MaxLocationsChars:N0} bytes.";
                await LoadAsync(id, cancellationToken);
                return Project is null ? NotFound() : Page();
            }

            using var reader = new StreamReader(locations.OpenReadStream());
            csv = await reader.ReadToEndAsync(cancellationToken);
        }

        var (options, problem) = Camtrap.CamtrapExportOptions.Create(camtrapCycleId, csv, presignHours, utcOffset);
        if (options is not null)
        {
            var notAfter = HttpContext.Features.Get<Microsoft.AspNetCore.Authentication.IAuthenticateResultFeature>()?.AuthenticateResult?.Properties?.ExpiresUtc;
            var (package, refusal) = await _camtrap.ExportAsync(Caller.CompanyId, id, Caller.Username, options, notAfter, cancellationToken);
            if (package is not null)
            {
                return File(package.Zip, "application/zip", package.FileName);
            }

            if (refusal!.Kind == Camtrap.CamtrapRefusalKind.NotFound)
            {
                return NotFound();
            }

            problem = refusal.Message;
        }

        Error = problem;
        await LoadAsync(id, cancellationToken);
        return Project is null ? NotFound() : Page();
    }

    public async Task<IActionResult> OnPostSaveAsync(long id, CancellationToken cancellationToken)
    {
        if (!Caller.IsAdmin)
        {
            return Forbid();
        }

        var project = await ProjectLookup.FindAsync(_db, Caller, id, cancellationToken, tracked: true);
        if (project is null)
        {
            return NotFound();
        }

        var refusal = await _projects.UpdateAsync(project, new ProjectRequest(Name, BucketName, Region, null, null, StorageLocationId), cancellationToken);
        Error = refusal?.Sentence;
        Message = refusal is null ? "Saved." : null;

        await LoadAsync(id, cancellationToken);
        return Page();
    }

    public async Task<IActionResult> OnPostCycleAsync(long id, CancellationToken cancellationToken)
    {
        if (!Caller.IsAdmin)
        {
            return Forbid();
        }

        await LoadAsync(id, cancellationToken);
        if (Project is null)
        {
            return NotFound();
        }

        var (cycle, refusal) = await _projects.AddCycleAsync(id, CycleName, CyclePrefix, cancellationToken);
        if (cycle is null)
        {
            Error = refusal!.Sentence;
            return Page();
        }

        Message = $"Cycle {cycle.Name} added: its files go under {cycle.S3Prefix}.";
        await LoadAsync(id, cancellationToken);
        return Page();
    }

    private async Task LoadAsync(long id, CancellationToken cancellationToken)
    {
        Project = await ProjectLookup.FindAsync(_db, Caller, id, cancellationToken);
        Grants = await _storage.GrantsOfAsync(Caller.CompanyId, cancellationToken);
        Cycles = Project is null ? [] : await _db.Cycles.AsNoTracking().Where(c => c.ProjectId == id).OrderBy(c => c.Id).ToListAsync(cancellationToken);
    }
}
