namespace Ferry.Server.Data;

/// <summary>
/// A server folder a company's upload jobs may read from, managed by the system administrator. <see cref="Path"/> is
/// absolute and normalized (no <c>..</c>, no trailing slash); unique per company. A folder belongs to the company
/// with the most specific root containing it, and only inside the operator's <c>Ferry:AllowedRoots</c>.
/// </summary>
internal sealed class CompanyRoot : CompanyOwned
{
    public long Id { get; set; }
    public required string Path { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}
