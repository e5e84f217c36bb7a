using System.Data.Common;
using Ferry.Server.Data.Migrations;
using Microsoft.EntityFrameworkCore.Storage;

namespace Ferry.Server.Data;

/// <summary>
/// Applies the versioned schema scripts (Data/Migrations/NNNN_name.sql, written once for both providers and rendered
/// for this one by <see cref="MigrationScripts"/>) in order, each in its own transaction, and records them (version and
/// name) in <c>schema_migrations</c>. Run explicitly by <c>ferry db migrate</c>; the server only checks that nothing is
/// pending.
/// </summary>
internal sealed class DatabaseMigrator(FerryDbContext db, TimeProvider time)
{
    /// <summary>The scripts for this provider, by version.</summary>
    public IReadOnlyList<MigrationScript> Scripts { get; } = MigrationScripts.For(db.Provider);

    public int LatestVersion => Scripts.Count == 0 ? 0 : Scripts[^1].Version;

    /// <summary>The highest version applied; 0 for an empty database.</summary>
    public async Task<int> CurrentVersionAsync(CancellationToken cancellationToken)
    {
        await EnsureHistoryTableAsync(cancellationToken);
        var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT COALESCE(MAX(version), 0) FROM schema_migrations";
        return Convert.ToInt32(await command.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Applies what is missing; returns the versions applied (empty when up to date).</summary>
    public Task<IReadOnlyList<int>> MigrateAsync(CancellationToken cancellationToken) => MigrateAsync(int.MaxValue, cancellationToken);

    /// <summary>Applies what is missing up to and including <paramref name="upToVersion"/> (tests of upgrades stop at an older schema).</summary>
    public async Task<IReadOnlyList<int>> MigrateAsync(int upToVersion, CancellationToken cancellationToken)
    {
        var current = await CurrentVersionAsync(cancellationToken);
        if (db.Provider == DatabaseProvider.Sqlite)
        {
            // Readers never wait for the writer; the setting stays with the database file.
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL", cancellationToken);
        }

        var applied = new List<int>();
        foreach (var (version, name, sql) in Scripts.Where(s => s.Version > current && s.Version <= upToVersion))
        {
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            var connection = await OpenAsync(cancellationToken);
            await using (var command = connection.CreateCommand())
            {
                command.Transaction = transaction.GetDbTransaction();
                command.CommandText = sql;
                await command.ExecuteNonQueryAsync(cancellationToken);
            }

            await using (var record = connection.CreateCommand())
            {
                record.Transaction = transaction.GetDbTransaction();
                record.CommandText = "INSERT INTO schema_migrations (version, name, applied_at) VALUES (@version, @name, @at)";
                AddParameter(record, "@version", version);
                AddParameter(record, "@name", name);
                AddParameter(record, "@at", time.GetUtcNow().ToString("O", System.Globalization.CultureInfo.InvariantCulture));
                await record.ExecuteNonQueryAsync(cancellationToken);
            }

            await transaction.CommitAsync(cancellationToken);
            applied.Add(version);
        }

        return applied;
    }

    private async Task EnsureHistoryTableAsync(CancellationToken cancellationToken)
    {
        var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)";
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private async Task<DbConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = db.Database.GetDbConnection();
        if (connection.State != System.Data.ConnectionState.Open)
        {
            await db.Database.OpenConnectionAsync(cancellationToken);
        }

        return connection;
    }

    private static void AddParameter(DbCommand command, string name, object value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value;
        command.Parameters.Add(parameter);
    }
}
