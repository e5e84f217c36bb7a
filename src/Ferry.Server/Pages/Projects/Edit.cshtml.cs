using Microsoft.AspNetCore.Mvc;

namespace Ferry.Server.Pages.Projects;

/// <summary>One project: its settings (administrators edit) and its cycles (administrators add).</summary>
internal sealed class ProjectEditModel(FerryDbContext db, ProjectCatalog projects, Ferry.Server.Storage.StorageLocationCatalog storage, Camtrap.CamtrapExportService camtrap, FerryServerOptions serverOptions) : ProjectFormModel(storage)
{
    /// <summary>The longest a package's presigned media links may live on this server (the card offers no longer).</summary>
    internal TimeSpan CamtrapLinkCeiling { get; } = serverOptions.CamtrapLinkLifetime ?? serverOptions.PresignLifetime;

    private readonly Camtrap.CamtrapExportService _camtrap = camtrap;
    private readonly FerryDbContext _db = db;
    private readonly ProjectCatalog _projects = projects;

    internal Project? Project { get; private set; }

    internal List<Cycle> Cycles { get; private set; } = [];

    [BindProperty] public string? CycleName { get; set; }
    [BindProperty] public string? CyclePrefix { get; set; }

    public Task<IActionResult> OnGetAsync(long id, CancellationToken cancellationToken) => ShowAsync(id, cancellationToken);

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
                return await ShowAsync(id, cancellationToken);
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
        return await ShowAsync(id, cancellationToken);
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

        var refusal = await _projects.UpdateAsync(project, Settings, cancellationToken);
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

    /// <summary>Loads the project and shows the page; not found when the project is not the caller's company's.</summary>
    private async Task<IActionResult> ShowAsync(long id, CancellationToken cancellationToken)
    {
        await LoadAsync(id, cancellationToken);
        return Project is null ? NotFound() : Page();
    }

    private async Task LoadAsync(long id, CancellationToken cancellationToken)
    {
        Project = await ProjectLookup.FindAsync(_db, Caller, id, cancellationToken);
        await LoadGrantsAsync(cancellationToken);
        Cycles = Project is null ? [] : await _projects.CyclesAsync(id, cancellationToken);
    }
}
