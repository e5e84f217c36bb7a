using Ferry.Server.Api;
using Ferry.Server.Sessions;
using Microsoft.AspNetCore.Mvc;

namespace Ferry.Server.Pages.Projects;

/// <summary>One project: its settings (administrators edit) and its cycles (administrators add).</summary>
public sealed class ProjectEditModel : FerryPageModel
{
    internal Project? Project { get; private set; }

    internal List<Cycle> Cycles { get; private set; } = [];

    public bool CanEdit => Caller.IsAdmin;

    [BindProperty] public string? Name { get; set; }
    [BindProperty] public string? BucketName { get; set; }
    [BindProperty] public string? Region { get; set; }
    [BindProperty] public string? EndpointUrl { get; set; }
    [BindProperty] public string? CycleName { get; set; }
    [BindProperty] public string? CyclePrefix { get; set; }

    public async Task<IActionResult> OnGetAsync(long id, CancellationToken cancellationToken)
    {
        await LoadAsync(id, cancellationToken).ConfigureAwait(false);
        return Project is null ? NotFound() : Page();
    }

    public async Task<IActionResult> OnPostSaveAsync(long id, CancellationToken cancellationToken)
    {
        if (!Caller.IsAdmin)
        {
            return Forbid();
        }

        var project = await Db.Projects.FirstOrDefaultAsync(p => p.Id == id && p.CompanyId == Caller.CompanyId, cancellationToken).ConfigureAwait(false);
        if (project is null)
        {
            return NotFound();
        }

        Error = ProjectEndpoints.Validate(new ProjectRequest(Name, BucketName, Region, EndpointUrl, null));
        if (Error is null)
        {
            project.Name = Name!.Trim();
            project.BucketName = BucketName!;
            project.Region = Region!;
            project.EndpointUrl = string.IsNullOrWhiteSpace(EndpointUrl) ? null : EndpointUrl.Trim();
            await Db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
            Message = "Saved.";
        }

        await LoadAsync(id, cancellationToken).ConfigureAwait(false);
        return Page();
    }

    public async Task<IActionResult> OnPostCycleAsync(long id, CancellationToken cancellationToken)
    {
        if (!Caller.IsAdmin)
        {
            return Forbid();
        }

        await LoadAsync(id, cancellationToken).ConfigureAwait(false);
        if (Project is null)
        {
            return NotFound();
        }

        var name = CycleName?.Trim();
        var (prefix, problem) = UploadKeys.NormalizePrefix(string.IsNullOrWhiteSpace(CyclePrefix) ? name : CyclePrefix);
        if (string.IsNullOrEmpty(name) || name.Length > 100)
        {
            Error = "Give the cycle a name of 1 to 100 characters, such as C2.";
        }
        else if (prefix is null)
        {
            Error = problem;
        }
        else if (Cycles.Any(c => c.Name == name))
        {
            Error = $"The project already has a cycle named '{name}'.";
        }
        else
        {
            Db.Cycles.Add(new Cycle { ProjectId = id, Name = name, S3Prefix = prefix, CreatedAt = Service<TimeProvider>().GetUtcNow() });
            await Db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
            Message = $"Cycle {name} added: its files go under {prefix}.";
            await LoadAsync(id, cancellationToken).ConfigureAwait(false);
        }

        return Page();
    }

    private async Task LoadAsync(long id, CancellationToken cancellationToken)
    {
        Project = await Db.Projects.AsNoTracking().FirstOrDefaultAsync(p => p.Id == id && p.CompanyId == Caller.CompanyId, cancellationToken).ConfigureAwait(false);
        Cycles = Project is null ? [] : await Db.Cycles.AsNoTracking().Where(c => c.ProjectId == id).OrderBy(c => c.Id).ToListAsync(cancellationToken).ConfigureAwait(false);
    }
}
