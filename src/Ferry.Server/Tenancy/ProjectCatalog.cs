using Ferry.Server.Sessions;
using Ferry.Server.Storage;

namespace Ferry.Server.Tenancy;

/// <summary>Creating and changing a company's projects and cycles, for the API and the pages alike: one set of rules.</summary>
internal sealed class ProjectCatalog(FerryDbContext db, TimeProvider time, StorageLocationCatalog storage, FerryServerOptions options)
{
    /// <summary>The company's projects, by name.</summary>
    public Task<List<Project>> ListAsync(long companyId, CancellationToken cancellationToken) =>
        db.Projects.AsNoTracking().Where(p => p.CompanyId == companyId).OrderBy(p => p.Name).ToListAsync(cancellationToken);

    /// <summary>The company's projects, by name, and all their cycles, oldest first (for a page's project and cycle lists).</summary>
    public async Task<(List<Project> Projects, List<Cycle> Cycles)> ListWithCyclesAsync(long companyId, CancellationToken cancellationToken)
    {
        var projects = await ListAsync(companyId, cancellationToken);
        var ids = projects.Select(p => p.Id).ToList();
        return (projects, await db.Cycles.AsNoTracking().Where(c => ids.Contains(c.ProjectId)).OrderBy(c => c.Id).ToListAsync(cancellationToken));
    }

    /// <summary>The project's cycles, oldest first (the caller has found the project first).</summary>
    public Task<List<Cycle>> CyclesAsync(long projectId, CancellationToken cancellationToken) =>
        db.Cycles.AsNoTracking().Where(c => c.ProjectId == projectId).OrderBy(c => c.Id).ToListAsync(cancellationToken);

    public async Task<(Project? Project, Refusal? Refusal)> CreateAsync(long companyId, ProjectRequest request, CancellationToken cancellationToken)
    {
        if (ProjectRules.Validate(request) is { } problem)
        {
            return (null, Refusal.Invalid(problem));
        }

        var name = request.Name!.Trim();
        if (await db.Projects.AnyAsync(p => p.CompanyId == companyId && p.Name == name, cancellationToken))
        {
            return (null, NameTaken(name));
        }

        var (location, denied) = await storage.ResolveForProjectAsync(companyId, null, request.StorageLocationId, request.EndpointUrl, request.AwsProfile, request.BucketName!, cancellationToken);
        if (location is null)
        {
            return (null, denied);
        }

        var project = new Project { CompanyId = companyId, Name = name, BucketName = "", Region = "", CreatedAt = time.GetUtcNow() };
        Apply(project, request, location);
        db.Projects.Add(project);
        await db.SaveChangesAsync(cancellationToken);
        return (project, null);
    }

    /// <summary>Changes a tracked <paramref name="project"/>; null when saved.</summary>
    public async Task<Refusal?> UpdateAsync(Project project, ProjectRequest request, CancellationToken cancellationToken)
    {
        if (ProjectRules.Validate(request) is { } problem)
        {
            return Refusal.Invalid(problem);
        }

        var name = request.Name!.Trim();
        if (name != project.Name && await db.Projects.AnyAsync(p => p.CompanyId == project.CompanyId && p.Name == name, cancellationToken))
        {
            return NameTaken(name);
        }

        var (location, denied) = await storage.ResolveForProjectAsync(project.CompanyId, project, request.StorageLocationId, request.EndpointUrl, request.AwsProfile, request.BucketName!, cancellationToken);
        if (location is null)
        {
            return denied;
        }

        Apply(project, request, location);
        await db.SaveChangesAsync(cancellationToken);
        return null;
    }

    /// <summary>Adds a cycle to a project the caller may see; the prefix defaults to the name.</summary>
    public async Task<(Cycle? Cycle, Refusal? Refusal)> AddCycleAsync(long projectId, string? cycleName, string? s3Prefix, CancellationToken cancellationToken)
    {
        var name = cycleName?.Trim();
        if (string.IsNullOrEmpty(name) || name.Length > 100)
        {
            return (null, Refusal.Invalid("give the cycle a name of 1 to 100 characters, such as C2"));
        }

        var (prefix, problem) = UploadKeys.NormalizePrefix(string.IsNullOrWhiteSpace(s3Prefix) ? name : s3Prefix);
        if (prefix is null)
        {
            return (null, Refusal.Invalid(problem!));
        }

        var reserved = options.ExportPrefix.Trim('/') + "/";
        if (prefix.Length == 0 || prefix.StartsWith(reserved, StringComparison.Ordinal))
        {
            return (null, Refusal.Forbidden(prefix.Length == 0
                ? $"a cycle needs a key prefix: the whole bucket would include Ferry's export area '{reserved}'"
                : $"the key prefix '{prefix}' is inside Ferry's export area '{reserved}', which is reserved for the server"));
        }

        if (await db.Cycles.AnyAsync(c => c.ProjectId == projectId && c.Name == name, cancellationToken))
        {
            return (null, Refusal.Conflict($"the project already has a cycle named '{name}'"));
        }

        var cycle = new Cycle { ProjectId = projectId, Name = name, S3Prefix = prefix, CreatedAt = time.GetUtcNow() };
        db.Cycles.Add(cycle);
        await db.SaveChangesAsync(cancellationToken);
        return (cycle, null);
    }

    /// <summary>The location is the source of truth; the project keeps copies of its endpoint and profile for readers of the table.</summary>
    private static void Apply(Project project, ProjectRequest request, StorageLocation location)
    {
        project.Name = request.Name!.Trim();
        project.BucketName = request.BucketName!;
        project.Region = string.IsNullOrWhiteSpace(request.Region) ? location.Region : request.Region;
        project.StorageLocationId = location.Id;
        project.StorageLocation = location;
        project.EndpointUrl = location.EndpointUrl;
        project.AwsProfile = location.CredentialSource == StorageCredentialSources.Profile ? location.ProfileName : null;
    }

    private static Refusal NameTaken(string name) => Refusal.Conflict($"the company already has a project named '{name}'");
}
