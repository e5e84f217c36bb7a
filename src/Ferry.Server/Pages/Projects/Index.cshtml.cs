using Microsoft.AspNetCore.Mvc;

namespace Ferry.Server.Pages.Projects;

/// <summary>The company's projects; administrators create them here.</summary>
internal sealed class ProjectsModel(ProjectCatalog projects, Ferry.Server.Storage.StorageLocationCatalog storage) : ProjectFormModel(storage)
{
    private readonly ProjectCatalog _projects = projects;

    internal List<Project> Projects { get; private set; } = [];

    internal List<Cycle> Cycles { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken cancellationToken) => await LoadAsync(cancellationToken);

    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        if (!Caller.IsAdmin)
        {
            return Forbid();
        }

        var (project, refusal) = await _projects.CreateAsync(Caller.CompanyId, Settings, cancellationToken);
        if (project is not null)
        {
            return Redirect($"/projects/{project.Id}");
        }

        Error = refusal!.Sentence;
        return await ShowAsync(cancellationToken);
    }

    private protected override async Task LoadAsync(CancellationToken cancellationToken)
    {
        (Projects, Cycles) = await _projects.ListWithCyclesAsync(Caller.CompanyId, cancellationToken);
        await LoadGrantsAsync(cancellationToken);
    }
}
