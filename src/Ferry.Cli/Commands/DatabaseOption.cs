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

    /// <summary>The server settings <c>--db</c> and <c>--allowed-root</c> give, on top of <paramref name="settings"/> (or a new set).</summary>
    public static Dictionary<string, string?> Settings(string? database, string[]? roots, Dictionary<string, string?>? settings = null)
    {
        settings ??= [];
        if (database is not null)
        {
            settings["Ferry:Database"] = database;
        }

        AddRoots(settings, roots);
        return settings;
    }

    /// <summary>Adds <c>--allowed-root</c> values as Ferry:AllowedRoots:N settings (they replace configured ones).</summary>
    private static void AddRoots(Dictionary<string, string?> settings, string[]? roots)
    {
        for (var i = 0; i < (roots?.Length ?? 0); i++)
        {
            settings[$"Ferry:AllowedRoots:{i}"] = Path.GetFullPath(roots![i]);
        }
    }
}
