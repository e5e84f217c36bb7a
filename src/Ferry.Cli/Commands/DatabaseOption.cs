using System.CommandLine;

namespace Ferry.Cli.Commands;

/// <summary>The <c>--db</c> option of the server commands.</summary>
internal static class DatabaseOption
{
    public static Option<string?> Create() => new("--db")
    {
        Description = "The server database: an Npgsql connection string (Host=…;Database=…;Username=…;Password=…) or Data Source=FILE for SQLite. Default: FERRY_DB, else SQLite server.db in Ferry's data directory",
    };
}
