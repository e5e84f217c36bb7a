using System.Data.Common;

namespace Ferry.Server.Data;

/// <summary>Recognises a unique-index violation on either provider (SQLite's constraint error 19, PostgreSQL's 23505).</summary>
internal static class UniqueViolation
{
    public static bool Is(DbException ex) =>
        ex is Microsoft.Data.Sqlite.SqliteException { SqliteErrorCode: 19 } || ex is Npgsql.PostgresException { SqlState: "23505" };

    /// <summary>True when <paramref name="ex"/> is EF Core's wrapper around a unique-index violation.</summary>
    public static bool Is(DbUpdateException ex) => ex.InnerException is DbException inner && Is(inner);
}
