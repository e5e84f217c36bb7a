using Ferry.Server.Api;
using Microsoft.AspNetCore.Mvc;

namespace Ferry.Server.Pages.Projects;

/// <summary>The company's projects; administrators create them here.</summary>
public sealed class ProjectsModel : FerryPageModel
{
    internal List<Project> Projects { get; private set; } = [];

    internal List<Cycle> Cycles { get; private set; } = [];

    public bool CanEdit => Caller.IsAdmin;

    [BindProperty] public string? Name { get; set; }
    [BindProperty] public string? BucketName { get; set; }
    [BindProperty] public string? Region { get; set; }
    [BindProperty] public string? EndpointUrl { get; set; }

    public async Task OnGetAsync(CancellationToken cancellationToken) => await LoadAsync(cancellationToken).ConfigureAwait(false);

    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        if (!Caller.IsAdmin)
        {
            return Forbid();
        }

        var request = new ProjectRequest(Name, BucketName, Region, EndpointUrl, null);
        Error = ProjectEndpoints.Validate(request);
        var name = Name?.Trim() ?? "";
        if (Error is null && await Db.Projects.AnyAsync(p => p.CompanyId == Caller.CompanyId && p.Name == name, cancellationToken).ConfigureAwait(false))
        {
            Error = $"The company already has a project named '{name}'.";
        }

        if (Error is not null)
        {
            await LoadAsync(cancellationToken).ConfigureAwait(false);
            return Page();
        }

        var project = new Project
        {
            CompanyId = Caller.CompanyId,
            Name = name,
            BucketName = BucketName!,
            Region = Region!,
            EndpointUrl = string.IsNullOrWhiteSpace(EndpointUrl) ? null : EndpointUrl.Trim(),
            CreatedAt = Service<TimeProvider>().GetUtcNow(),
        };
        Db.Projects.Add(project);
        await Db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        return Redirect($"/projects/{project.Id}");
    }

    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        Projects = await Db.Projects.AsNoTracking().Where(p => p.CompanyId == Caller.CompanyId).OrderBy(p => p.Name).ToListAsync(cancellationToken).ConfigureAwait(false);
        var ids = Projects.Select(p => p.Id).ToList();
        Cycles = await Db.Cycles.AsNoTracking().Where(c => ids.Contains(c.ProjectId)).OrderBy(c => c.Id).ToListAsync(cancellationToken).ConfigureAwait(false);
    }
}
