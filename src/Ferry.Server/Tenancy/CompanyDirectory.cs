namespace Ferry.Server.Tenancy;

/// <summary>A company with how many of its users are not deleted, for the system administrator's list.</summary>
internal sealed record CompanySummary(long Id, string Name, DateTimeOffset CreatedAt, int Users);

/// <summary>
/// The system administrator's companies (tenants), for the API (<c>/api/companies</c>) and the Companies page alike:
/// list, create, rename, and list a company's users. Names are 1 to 200 characters after trimming and unique across
/// the server (compared exactly). Every query here looks across companies (<see cref="TenantQueries.AcrossCompanies{T}"/>):
/// callers check that the caller is the system administrator before calling.
/// </summary>
internal sealed class CompanyDirectory(FerryDbContext db, TimeProvider time)
{
    public const int MaxNameLength = 200;

    /// <summary>Every company, oldest first, with its number of users (deleted users not counted).</summary>
    public async Task<List<CompanySummary>> ListAsync(CancellationToken cancellationToken)
    {
        var companies = await db.Companies.AcrossCompanies().AsNoTracking().OrderBy(c => c.Id).ToListAsync(cancellationToken);
        var users = await db.Users.AcrossCompanies().AsNoTracking().Where(u => u.DeletedAt == null).GroupBy(u => u.CompanyId)
            .Select(g => new { CompanyId = g.Key, Count = g.Count() }).ToDictionaryAsync(g => g.CompanyId, g => g.Count, cancellationToken);
        return companies.Select(c => new CompanySummary(c.Id, c.Name, c.CreatedAt, users.GetValueOrDefault(c.Id))).ToList();
    }

    /// <summary>Every company by name, for a pick list.</summary>
    public Task<List<Company>> ByNameAsync(CancellationToken cancellationToken) =>
        db.Companies.AcrossCompanies().AsNoTracking().OrderBy(c => c.Name).ToListAsync(cancellationToken);

    /// <summary>The company, or null when there is none with this id.</summary>
    public Task<Company?> FindAsync(long id, CancellationToken cancellationToken) =>
        db.Companies.AcrossCompanies().AsNoTracking().FirstOrDefaultAsync(c => c.Id == id, cancellationToken);

    /// <summary>Creates a company; refused when the name is empty, too long or taken (conflict).</summary>
    public async Task<(Company? Company, Refusal? Refusal)> CreateAsync(string? name, CancellationToken cancellationToken)
    {
        var (trimmed, refusal) = await CheckNameAsync(name, null, cancellationToken);
        if (trimmed is null)
        {
            return (null, refusal);
        }

        var company = new Company { Name = trimmed, CreatedAt = time.GetUtcNow() };
        db.Companies.Add(company);
        return await SaveNameAsync(trimmed, cancellationToken) is { } taken ? (null, taken) : (company, null);
    }

    /// <summary>
    /// Renames a company; (null, null) when there is no such company, a refusal when the name is empty, too long or
    /// another company's. Renaming to the current name changes nothing and succeeds.
    /// </summary>
    public async Task<(Company? Company, Refusal? Refusal)> RenameAsync(long id, string? name, CancellationToken cancellationToken)
    {
        var company = await db.Companies.AcrossCompanies().FirstOrDefaultAsync(c => c.Id == id, cancellationToken);
        if (company is null)
        {
            return (null, null);
        }

        var (trimmed, refusal) = await CheckNameAsync(name, id, cancellationToken);
        if (trimmed is null)
        {
            return (null, refusal);
        }

        company.Name = trimmed;
        return await SaveNameAsync(trimmed, cancellationToken) is { } taken ? (null, taken) : (company, null);
    }

    /// <summary>The company's users that are not deleted, by user name (empty for an unknown company).</summary>
    public Task<List<User>> UsersAsync(long companyId, CancellationToken cancellationToken) =>
        db.Users.AcrossCompanies().AsNoTracking().Where(u => u.CompanyId == companyId && u.DeletedAt == null).OrderBy(u => u.Username).ToListAsync(cancellationToken);

    /// <summary>Saves a new or changed name; a conflict when another request took the name between the check and the save.</summary>
    private async Task<Refusal?> SaveNameAsync(string name, CancellationToken cancellationToken)
    {
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            return null;
        }
        catch (DbUpdateException ex) when (UniqueViolation.Is(ex))
        {
            db.ChangeTracker.Clear();
            return Refusal.Conflict($"a company named '{name}' already exists; pick another name");
        }
    }

    private async Task<(string? Name, Refusal? Refusal)> CheckNameAsync(string? name, long? exceptId, CancellationToken cancellationToken)
    {
        var trimmed = name?.Trim();
        if (string.IsNullOrEmpty(trimmed) || trimmed.Length > MaxNameLength)
        {
            return (null, Refusal.Invalid($"give the company a name of 1 to {MaxNameLength} characters"));
        }

        return await db.Companies.AcrossCompanies().AnyAsync(c => c.Name == trimmed && c.Id != exceptId, cancellationToken)
            ? (null, Refusal.Conflict($"a company named '{trimmed}' already exists; pick another name"))
            : (trimmed, null);
    }
}
