using System.Data;
using System.Data.Common;
using Microsoft.EntityFrameworkCore.Storage;

namespace Ferry.Server.Sessions;

/// <summary>
/// Runs one parameterized statement once per row in the caller's transaction, answering the rows each run changed —
/// the per-row semantics of an UPDATE … WHERE status = expected, without a round trip or an EF query per row: on
/// PostgreSQL one batch (<see cref="DbBatch"/>, every row's statement in a single round trip), on SQLite one prepared
/// command run per row (SQLite is in process: a prepared statement's run costs microseconds). Raw SQL sees no tenant
/// filter: callers pass only ids and keys they read through the filtered context (the caller's session's files).
/// </summary>
internal static class RowStatements
{
    /// <summary>A statement parameter: its name (without '@') and type.</summary>
    public readonly record struct Column(string Name, DbType Type);

    /// <summary>How <see cref="FerryDbContext.Timestamp"/> values travel: SQLite's binary integers, PostgreSQL's timestamptz.</summary>
    public static DbType TimestampType(FerryDbContext db) => db.Provider == DatabaseProvider.Sqlite ? DbType.Int64 : DbType.DateTimeOffset;

    /// <summary>
    /// Runs <paramref name="sql"/> (parameters named <c>@name</c> after <paramref name="columns"/>) for each row of
    /// <paramref name="rows"/> (values in column order, null for SQL NULL), in order; answers each run's changed rows.
    /// </summary>
    public static async Task<int[]> RunAsync(FerryDbContext db, string sql, IReadOnlyList<Column> columns, IReadOnlyList<object?[]> rows, CancellationToken cancellationToken)
    {
        var changed = new int[rows.Count];
        if (rows.Count == 0)
        {
            return changed;
        }

        var connection = db.Database.GetDbConnection();
        var transaction = db.Database.CurrentTransaction?.GetDbTransaction()
            ?? throw new InvalidOperationException("row statements run inside the caller's transaction");
        if (connection.CanCreateBatch)
        {
            await using var batch = connection.CreateBatch();
            batch.Transaction = transaction;
            foreach (var row in rows)
            {
                var command = batch.CreateBatchCommand();
                command.CommandText = sql;
                for (var c = 0; c < columns.Count; c++)
                {
                    var parameter = command.CreateParameter();
                    parameter.ParameterName = columns[c].Name;
                    parameter.DbType = columns[c].Type;
                    parameter.Value = row[c] ?? DBNull.Value;
                    command.Parameters.Add(parameter);
                }

                batch.BatchCommands.Add(command);
            }

            await batch.ExecuteNonQueryAsync(cancellationToken);
            for (var i = 0; i < rows.Count; i++)
            {
                changed[i] = batch.BatchCommands[i].RecordsAffected;
            }

            return changed;
        }

        await using (var command = connection.CreateCommand())
        {
            command.Transaction = transaction;
            command.CommandText = sql;
            var parameters = columns.Select(column =>
            {
                var parameter = command.CreateParameter();
                parameter.ParameterName = "@" + column.Name;
                parameter.DbType = column.Type;
                command.Parameters.Add(parameter);
                return parameter;
            }).ToArray();
            await command.PrepareAsync(cancellationToken);
            for (var i = 0; i < rows.Count; i++)
            {
                for (var c = 0; c < parameters.Length; c++)
                {
                    parameters[c].Value = rows[i][c] ?? DBNull.Value;
                }

                changed[i] = await command.ExecuteNonQueryAsync(cancellationToken);
            }
        }

        return changed;
    }
}
