using Ferry.Server.Storage;
using Microsoft.AspNetCore.Mvc;

namespace Ferry.Server.Pages.Projects;

/// <summary>
/// A page with the project settings form (the projects page creates a project with it, a project's page changes one):
/// the fields it posts, the request they make, and the company's storage grants its location list and hint offer.
/// Administrators edit; everyone else reads.
/// </summary>
internal abstract class ProjectFormModel(StorageLocationCatalog storage) : FerryPageModel
{
    public bool CanEdit => Caller.IsAdmin;

    [BindProperty] public string? Name { get; set; }
    [BindProperty] public string? BucketName { get; set; }
    [BindProperty] public string? Region { get; set; }
    [BindProperty] public long? StorageLocationId { get; set; }

    /// <summary>The company's storage grants: the locations and bucket patterns a project may use.</summary>
    internal List<CompanyGrantResponse> Grants { get; private set; } = [];

    /// <summary>What the form asks for (the endpoint URL and path style come from the storage location).</summary>
    private protected ProjectRequest Settings => new(Name, BucketName, Region, null, null, StorageLocationId);

    private protected async Task LoadGrantsAsync(CancellationToken cancellationToken) => Grants = await storage.GrantsOfAsync(Caller.CompanyId, cancellationToken);
}
