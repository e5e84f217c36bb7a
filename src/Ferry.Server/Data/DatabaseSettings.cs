using System.Data.Common;

namespace Ferry.Server.Data;

/// <summary>
/// Which database to use, from one connection string: an Npgsql string (<c>Host=…;Database=…</c>) means
/// PostgreSQL; <c>Data Source=FILE</c> means SQLite. Without one, SQLite in Ferry's data directory.
/// </summary>
internal sealed record DatabaseSettings(DatabaseProvider Provider, string ConnectionString)
{
    /// <summary>Parses <paramref name="connectionString"/>; throws <see cref="FormatException"/> naming the fix.</summary>
    public static DatabaseSettings Resolve(string? connectionString, string dataDirectory)
    {
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            return new DatabaseSettings(DatabaseProvider.Sqlite, $"Data Source={Path.Combine(dataDirectory, "server.db")}");
        }

        DbConnectionStringBuilder parsed;
        try
        {
            parsed = new DbConnectionStringBuilder { ConnectionString = connectionString };
        }
        catch (ArgumentException)
        {
            throw new FormatException("the database connection string is malformed; write it as Host=HOST;Port=5432;Database=NAME;Username=USER;Password=… (PostgreSQL) or Data Source=FILE (SQLite)");
        }

        if (parsed.ContainsKey("Host") || parsed.ContainsKey("Server"))
        {
            return new DatabaseSettings(DatabaseProvider.PostgreSql, connectionString);
        }

        if (parsed.ContainsKey("Data Source") || parsed.ContainsKey("DataSource") || parsed.ContainsKey("Filename"))
        {
            return new DatabaseSettings(DatabaseProvider.Sqlite, connectionString);
        }

        throw new FormatException("the database connection string names neither Host= (PostgreSQL) nor Data Source= (SQLite); give one of them");
    }

    /// <summary>Where the database is, without credentials, for messages.</summary>
    public string Describe()
    {
        var parsed = new DbConnectionStringBuilder { ConnectionString = ConnectionString };
        return Provider == DatabaseProvider.PostgreSql
            ? $"PostgreSQL {parsed["Host"]}{(parsed.TryGetValue("Port", out var port) ? ":" + port : "")}/{(parsed.TryGetValue("Database", out var db) ? db : "")}"
            : $"SQLite {(parsed.TryGetValue("Data Source", out var file) ? file : parsed.ConnectionString)}";
    }
}
