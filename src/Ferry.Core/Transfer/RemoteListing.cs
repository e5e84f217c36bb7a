using Ferry.Core.Storage;
using Microsoft.Data.Sqlite;

namespace Ferry.Core.Transfer;

/// <summary>
/// One flat listing of a destination prefix, held in a private temporary SQLite database (on disk,
/// deleted on dispose) so that 300,000 objects cost an index, not 300,000 objects in memory.
/// Lookups are by key; keys can be marked seen to find what exists only remotely.
/// </summary>
public sealed class RemoteListing : IDisposable
{
    private readonly SqliteConnection _connection;
    private readonly SqliteCommand _find;
    private readonly SqliteCommand _markSeen;

    public RemoteListing()
    {
        // An empty file name makes SQLite create a private temporary on-disk database.
        _connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = "", Pooling = false }.ToString());
        _connection.Open();
        using (var create = _connection.CreateCommand())
        {
            create.CommandText = "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; CREATE TABLE remote (key TEXT PRIMARY KEY, size INTEGER NOT NULL, etag TEXT, seen INTEGER NOT NULL DEFAULT 0) WITHOUT ROWID;";
            create.ExecuteNonQuery();
        }

        _find = Prepare("SELECT size, etag FROM remote WHERE key = $k");
        _markSeen = Prepare("UPDATE remote SET seen = 1 WHERE key = $k");
    }

    public long Count { get; private set; }

    /// <summary>Reads the whole listing; returns the number of objects.</summary>
    public async Task<long> LoadAsync(IAsyncEnumerable<StoredObject> objects, CancellationToken cancellationToken)
    {
        using var insert = _connection.CreateCommand();
        insert.CommandText = "INSERT OR REPLACE INTO remote (key, size, etag) VALUES ($k, $s, $e)";
        var key = insert.Parameters.Add(new SqliteParameter("$k", ""));
        var size = insert.Parameters.Add(new SqliteParameter("$s", 0L));
        var etag = insert.Parameters.Add(new SqliteParameter("$e", DBNull.Value));
        var transaction = _connection.BeginTransaction();
        insert.Transaction = transaction;
        try
        {
            await foreach (var o in objects.WithCancellation(cancellationToken).ConfigureAwait(false))
            {
                key.Value = o.Key;
                size.Value = o.Size;
                etag.Value = (object?)o.ETag ?? DBNull.Value;
                insert.ExecuteNonQuery();
                Count++;
            }

            transaction.Commit();
        }
        finally
        {
            transaction.Dispose();
        }

        return Count;
    }

    /// <summary>The listed size and ETag of <paramref name="key"/>, or null when the listing did not have it.</summary>
    public (long Size, string? ETag)? Find(string key)
    {
        _find.Parameters[0].Value = key;
        using var reader = _find.ExecuteReader();
        return reader.Read() ? (reader.GetInt64(0), reader.IsDBNull(1) ? null : reader.GetString(1)) : null;
    }

    public void MarkSeen(string key)
    {
        _markSeen.Parameters[0].Value = key;
        _markSeen.ExecuteNonQuery();
    }

    /// <summary>Listed objects never marked seen, in key order.</summary>
    public IEnumerable<(string Key, long Size)> Unseen()
    {
        using var query = _connection.CreateCommand();
        query.CommandText = "SELECT key, size FROM remote WHERE seen = 0 ORDER BY key";
        using var reader = query.ExecuteReader();
        while (reader.Read())
        {
            yield return (reader.GetString(0), reader.GetInt64(1));
        }
    }

    public void Dispose()
    {
        _find.Dispose();
        _markSeen.Dispose();
        _connection.Dispose();
    }

    private SqliteCommand Prepare(string sql)
    {
        var command = _connection.CreateCommand();
        command.CommandText = sql;
        command.Parameters.Add(new SqliteParameter("$k", ""));
        command.Prepare();
        return command;
    }
}
