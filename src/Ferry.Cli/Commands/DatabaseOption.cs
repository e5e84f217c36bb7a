using System.CommandLine;

namespace Ferry.Cli.Commands;

/// <summary>The <c>--db</c> and <c>--allowed-root</c> options of the server commands.</summary>
internal static class DatabaseOption
{
    public static Option<string?> Create() => new("--db")
    {
        Description = "The server database: an Npgsql connection string (Host=…;Database=…;Username=…;Password=…) or Data Source=FILE for SQLite. Default: FERRY_DB, else SQLite server.db in Ferry's data directory",
    };

    public static Option<string[]> AllowedRoots() => new("--allowed-root")
    {
        Description = "A server folder the operator allows upload jobs to read (repeatable; also Ferry:AllowedRoots, FERRY_ALLOWED_ROOTS=DIR:DIR). Every company's server folders must lie inside one; each is given once to the first company",
    };

    /// <summary>Adds <c>--allowed-root</c> values as Ferry:AllowedRoots:N settings (they replace configured ones).</summary>
    public static void AddRoots(Dictionary<string, string?> settings, string[]? roots)
    {
        for (var i = 0; i < (roots?.Length ?? 0); i++)
        {
            settings[$"Ferry:AllowedRoots:{i}"] = Path.GetFullPath(roots![i]);
        }
    }
}
