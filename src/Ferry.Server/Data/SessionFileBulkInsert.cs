using System.Data.Common;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;
using NpgsqlTypes;

namespace Ferry.Server.Data;

/// <summary>
/// Inserts many session files in the caller's transaction, faster than change tracking can: PostgreSQL's binary
/// COPY, or on SQLite one prepared INSERT run per row. New rows' ids are not read back.
/// </summary>
internal static class SessionFileBulkInsert
{
    private const string Columns = "session_id, path, key, size, last_modified, status, etag, checksum, attempts, registered_at, updated_at, duplicate_of";

    public static async Task InsertAsync(FerryDbContext db, IReadOnlyList<SessionFile> files, CancellationToken cancellationToken)
    {
        if (files.Count == 0)
        {
            return;
        }

        var connection = db.Database.GetDbConnection();
        var transaction = db.Database.CurrentTransaction?.GetDbTransaction()
            ?? throw new InvalidOperationException("bulk inserts run inside the registration transaction");
        if (connection is NpgsqlConnection postgres)
        {
            await CopyAsync(postgres, files, cancellationToken);
        }
        else
        {
            await InsertEachAsync(db, connection, transaction, files, cancellationToken);
        }
    }

    private static async Task CopyAsync(NpgsqlConnection connection, IReadOnlyList<SessionFile> files, CancellationToken cancellationToken)
    {
        await using var copy = await connection.BeginBinaryImportAsync($"COPY session_files ({Columns}) FROM STDIN (FORMAT BINARY)", cancellationToken);
        foreach (var file in files)
        {
            await copy.StartRowAsync(cancellationToken);
            await copy.WriteAsync(file.SessionId, NpgsqlDbType.Bigint, cancellationToken);
            await copy.WriteAsync(file.Path, NpgsqlDbType.Text, cancellationToken);
            await copy.WriteAsync(file.Key, NpgsqlDbType.Text, cancellationToken);
            await copy.WriteAsync(file.Size, NpgsqlDbType.Bigint, cancellationToken);
            await WriteNullableAsync(copy, file.LastModified?.ToUniversalTime(), NpgsqlDbType.TimestampTz, cancellationToken);
            await copy.WriteAsync(file.Status.Name(), NpgsqlDbType.Text, cancellationToken);
            await WriteNullableAsync(copy, file.ETag, NpgsqlDbType.Text, cancellationToken);
            await WriteNullableAsync(copy, file.Checksum, NpgsqlDbType.Text, cancellationToken);
            await copy.WriteAsync(file.Attempts, NpgsqlDbType.Integer, cancellationToken);
            await copy.WriteAsync(file.RegisteredAt.ToUniversalTime(), NpgsqlDbType.TimestampTz, cancellationToken);
            await copy.WriteAsync(file.UpdatedAt.ToUniversalTime(), NpgsqlDbType.TimestampTz, cancellationToken);
            await WriteNullableAsync(copy, file.DuplicateOf, NpgsqlDbType.Text, cancellationToken);
        }

        await copy.CompleteAsync(cancellationToken);
    }

    private static async Task WriteNullableAsync<T>(NpgsqlBinaryImporter copy, T? value, NpgsqlDbType type, CancellationToken cancellationToken)
    {
        if (value is null)
        {
            await copy.WriteNullAsync(cancellationToken);
        }
        else
        {
            await copy.WriteAsync(value, type, cancellationToken);
        }
    }

    private static async Task InsertEachAsync(FerryDbContext db, DbConnection connection, DbTransaction transaction, IReadOnlyList<SessionFile> files, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = $"INSERT INTO session_files ({Columns}) VALUES (@session_id, @path, @key, @size, @last_modified, @status, @etag, @checksum, @attempts, @registered_at, @updated_at, @duplicate_of)";
        var parameters = Columns.Split(", ").Select(name =>
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = "@" + name;
            command.Parameters.Add(parameter);
            return parameter;
        }).ToArray();
        await command.PrepareAsync(cancellationToken);
        foreach (var file in files)
        {
            parameters[0].Value = file.SessionId;
            parameters[1].Value = file.Path;
            parameters[2].Value = file.Key;
            parameters[3].Value = file.Size;
            parameters[4].Value = file.LastModified is { } modified ? db.Timestamp(modified) : DBNull.Value;
            parameters[5].Value = file.Status.Name();
            parameters[6].Value = (object?)file.ETag ?? DBNull.Value;
            parameters[7].Value = (object?)file.Checksum ?? DBNull.Value;
            parameters[8].Value = file.Attempts;
            parameters[9].Value = db.Timestamp(file.RegisteredAt);
            parameters[10].Value = db.Timestamp(file.UpdatedAt);
            parameters[11].Value = (object?)file.DuplicateOf ?? DBNull.Value;
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
    }
}
