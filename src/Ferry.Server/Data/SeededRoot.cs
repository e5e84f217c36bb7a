namespace Ferry.Server.Data;

/// <summary>
/// A configured root (<c>Ferry:AllowedRoots</c>) already given to the first company. Each configured root is seeded
/// once, so a root the system administrator removed from that company is not brought back by the next start.
/// </summary>
internal sealed class SeededRoot
{
    public required string Path { get; set; }
    public DateTimeOffset SeededAt { get; set; }
}
