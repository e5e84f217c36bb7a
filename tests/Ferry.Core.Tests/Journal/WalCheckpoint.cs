using Microsoft.Data.Sqlite;

namespace Ferry.Core.Tests.Journal;

/// <summary>
/// Empties a journal's WAL from a connection of its own (<c>PRAGMA wal_checkpoint(TRUNCATE)</c>), as <c>ferry forget</c>
/// does. It waits up to a few seconds for readers and writers that are only passing; a reader that keeps an older
/// snapshot open keeps it busy.
/// </summary>
internal static class WalCheckpoint
{
    /// <summary>Answers the checkpoint's busy flag: 0 when the WAL was emptied, 1 when something held it back.</summary>
    public static long Truncate(string journalPath)
    {
        using var connection = new SqliteConnection($"Data Source={journalPath};Pooling=False");
        connection.Open();
        using (var timeout = connection.CreateCommand())
        {
            timeout.CommandText = "PRAGMA busy_timeout = 5000";
            timeout.ExecuteNonQuery();
        }

        using var checkpoint = connection.CreateCommand();
        checkpoint.CommandText = "PRAGMA wal_checkpoint(TRUNCATE)";
        using var result = checkpoint.ExecuteReader();
        return result.Read() ? result.GetInt64(0) : throw new InvalidOperationException("wal_checkpoint answered no row");
    }
}
