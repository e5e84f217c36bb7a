using System.Globalization;
using System.Text;
using System.Text.Json;
using Ferry.Core;
using Ferry.Core.Bundles;
using Ferry.Core.Csv;

namespace Ferry.Server.Exports;

/// <summary>
/// Writes the sections of a session's audit bundle from the database, streaming (a 300,000-file session never sits
/// in memory): <c>manifest/</c> (every file: path, key, size, status, ETag, SHA-256, times, as JSON Lines and CSV),
/// <c>failures/</c> (the failed and never-uploaded files with the reason) and <c>logs/</c> (the session's activity,
/// in time order, as JSON Lines). The reports are added by the bundle itself.
/// </summary>
internal static class SessionBundleWriter
{
    private static readonly string[] SectionNames = ["manifest", "failures", "logs"];

    public static async Task<(IReadOnlyList<BundleSection> Sections, Dictionary<string, string> Details)> WriteAsync(
        FerryDbContext db, Sessions.LoadedSession loaded, string folder, CancellationToken cancellationToken)
    {
        var session = loaded.Session;
        var sections = SectionNames.Select(name => new BundleSection(name, Path.Combine(folder, name))).ToList();
        foreach (var section in sections)
        {
            Directory.CreateDirectory(section.Source);
        }

        await WriteManifestAsync(db, session.Id, sections[0].Source, cancellationToken);
        await WriteFailuresAsync(db, session.Id, sections[1].Source, cancellationToken);
        await WriteActivityAsync(db, session, sections[2].Source, cancellationToken);

        var user = await db.Users.AsNoTracking().Where(u => u.Id == session.UserId).Select(u => u.Username).FirstOrDefaultAsync(cancellationToken);
        var details = new Dictionary<string, string>
        {
            ["session_id"] = session.Id.ToString(CultureInfo.InvariantCulture),
            ["project"] = loaded.Project.Name,
            ["bucket"] = loaded.Project.BucketName,
            ["cycle"] = loaded.Cycle.Name,
            ["prefix"] = loaded.Cycle.S3Prefix,
            ["uploaded_by"] = user ?? "(deleted user)",
            ["client"] = session.Client,
            ["status"] = session.Status.Name(),
            ["started_at"] = Timestamps.Iso(session.StartedAt),
            ["finished_at"] = session.FinishedAt is { } finished ? Timestamps.Iso(finished) : "(not finished)",
            ["files_total"] = Number(session.TotalFiles),
            ["files_uploaded"] = Number(session.UploadedFiles),
            ["files_already_there"] = Number(session.SkippedFiles),
            ["files_failed"] = Number(session.FailedFiles),
            ["bytes_total"] = Number(session.TotalBytes),
            ["bytes_uploaded"] = Number(session.UploadedBytes),
        };
        if (session.LocalDirectory is { } local)
        {
            details["local_directory"] = local;
        }

        return (sections, details);
    }

    private static async Task WriteManifestAsync(FerryDbContext db, long sessionId, string folder, CancellationToken cancellationToken)
    {
        await using var lines = Writer(Path.Combine(folder, "manifest.jsonl"));
        await using var csv = SpreadsheetCsv.ToFile(Path.Combine(folder, "manifest.csv"));
        await csv.WriteRecordAsync(["path", "key", "size", "status", "etag", "sha256", "attempts", "registered_at", "uploaded_at", "error"], cancellationToken);
        await foreach (var f in db.SessionFiles.AsNoTracking().Where(f => f.SessionId == sessionId).OrderBy(f => f.Id).AsAsyncEnumerable().WithCancellation(cancellationToken))
        {
            await lines.WriteLineAsync(Json(new Dictionary<string, object?>
            {
                ["path"] = f.Path, ["key"] = f.Key, ["size"] = f.Size, ["status"] = f.Status.Name(), ["etag"] = f.ETag, ["sha256"] = f.Checksum,
                ["attempts"] = f.Attempts, ["registered_at"] = Timestamps.Iso(f.RegisteredAt), ["uploaded_at"] = f.UploadedAt is { } u ? Timestamps.Iso(u) : null, ["error"] = f.LastError,
            }));
            await csv.WriteRecordAsync([f.Path, f.Key, Number(f.Size), f.Status.Name(), f.ETag, f.Checksum, Number(f.Attempts), Timestamps.Iso(f.RegisteredAt), f.UploadedAt is { } at ? Timestamps.Iso(at) : null, f.LastError], cancellationToken);
        }
    }

    private static async Task WriteFailuresAsync(FerryDbContext db, long sessionId, string folder, CancellationToken cancellationToken)
    {
        await using var csv = SpreadsheetCsv.ToFile(Path.Combine(folder, "failures.csv"));
        await csv.WriteRecordAsync(["path", "key", "size", "status", "attempts", "updated_at", "reason"], cancellationToken);
        var unfinished = db.SessionFiles.AsNoTracking().Where(f => f.SessionId == sessionId && (f.Status == Data.FileStatus.Failed || f.Status == Data.FileStatus.Pending)).OrderBy(f => f.Id);
        await foreach (var f in unfinished.AsAsyncEnumerable().WithCancellation(cancellationToken))
        {
            var reason = f.LastError ?? (f.Status == Data.FileStatus.Pending ? "never uploaded in this session" : "failed");
            await csv.WriteRecordAsync([f.Path, f.Key, Number(f.Size), f.Status.Name(), Number(f.Attempts), Timestamps.Iso(f.UpdatedAt), reason], cancellationToken);
        }
    }

    private static async Task WriteActivityAsync(FerryDbContext db, Data.UploadSession session, string folder, CancellationToken cancellationToken)
    {
        await using var log = Writer(Path.Combine(folder, "activity.jsonl"));
        await log.WriteLineAsync(Json(new Dictionary<string, object?> { ["at"] = Timestamps.Iso(session.StartedAt), ["event"] = "session_started", ["client"] = session.Client, ["local_directory"] = session.LocalDirectory }));
        var files = db.SessionFiles.AsNoTracking().Where(f => f.SessionId == session.Id && f.Status != Data.FileStatus.Pending)
            .OrderBy(f => f.UpdatedAt).ThenBy(f => f.Id)
            .Select(f => new { f.Path, f.Status, f.Size, f.Attempts, f.LastError, f.UpdatedAt, f.UploadedAt, f.RegisteredAt });
        await foreach (var f in files.AsAsyncEnumerable().WithCancellation(cancellationToken))
        {
            var (name, at) = f.Status switch
            {
                Data.FileStatus.Uploaded => ("file_verified", f.UploadedAt ?? f.UpdatedAt),
                Data.FileStatus.Skipped => ("file_already_there", f.RegisteredAt),
                _ => ("file_failed", f.UpdatedAt),
            };
            await log.WriteLineAsync(Json(new Dictionary<string, object?> { ["at"] = Timestamps.Iso(at), ["event"] = name, ["path"] = f.Path, ["size"] = f.Size, ["attempts"] = f.Attempts, ["reason"] = f.LastError }));
        }

        if (session.FinishedAt is { } finished)
        {
            await log.WriteLineAsync(Json(new Dictionary<string, object?> { ["at"] = Timestamps.Iso(finished), ["event"] = "session_finished", ["status"] = session.Status.Name() }));
        }
    }

    private static StreamWriter Writer(string path) => new(path, false, new UTF8Encoding(false), 64 * 1024) { NewLine = "\n" };

    private static readonly JsonSerializerOptions Compact = new() { DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static string Json(Dictionary<string, object?> fields) => JsonSerializer.Serialize(fields.Where(p => p.Value is not null).ToDictionary(), Compact);

    private static string Number(long n) => n.ToString(CultureInfo.InvariantCulture);
}
