namespace Ferry.Server.Data;

/// <summary>
/// A row that belongs to one company (its table has a <c>company_id</c>). Every such entity derives from this, and
/// <see cref="FerryDbContext"/> filters every one of them to the tenant's company in one place, so a new table of a
/// company is scoped by declaring it so. Rows that belong to a company through another row (a project's cycles, a
/// session's files) and the maintenance runs (no company: every company's) are filtered there one by one.
/// </summary>
internal abstract class CompanyOwned
{
    public long CompanyId { get; set; }
}
