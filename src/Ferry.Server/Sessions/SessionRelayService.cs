using System.Text.Json;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace Ferry.Server.Sessions;

/// <summary>
/// Relayed uploads (<c>POST /api/sessions/{id}/relay</c>): a client sends a batch of small registered files in one
/// multipart form — a <c>files</c> field (JSON, <see cref="RelayRequest"/>) naming the paths, then one file field per
/// path, in that order — and the server writes each to the project's bucket with its <c>Content-MD5</c>, and records
/// it verified from S3's answer: the write succeeded with that MD5 checked by S3, and the ETag S3 returned (when it is
/// an MD5) equals the MD5 of the bytes the server received. The server computes each file's SHA-256 itself: it is
/// checked against the one the client sent (if any), stored with the object and kept as its checksum.
/// <para>
/// Why: for small files the browser's own cost per request (a form, a connection slot, an answer) and S3's per
/// request are what limit a page's upload (docs/benchmarks.md, "Issue 16, session 16"); one request per batch instead
/// of one per file, and no listing or HEAD afterwards, is what lets the page go faster. Files up to
/// <see cref="FerryServerOptions.RelayMaximumFileSize"/>; 0 turns relaying off.
/// </para>
/// Memory: at most <see cref="WritesInFlight"/> files' bytes per request are held at once (one buffer each, pooled), and
/// one user has at most <see cref="RelayLimiter.PerUser"/> requests running (429 past that); the request body is read
/// as it arrives and never buffered whole.
/// </summary>
internal sealed class SessionRelayService(SessionService sessions, SessionFileService files, ProjectStores stores, RelayLimiter limiter, FerryServerOptions options,
    IOptions<JsonOptions> json, ILogger<SessionRelayService> logger)
{
    /// <summary>Writes to S3 in flight per relay request (each holding one file's bytes).</summary>
    internal const int WritesInFlight = 8;

    /// <summary>The most bytes the <c>files</c> field may have: a path of up to 1,024 UTF-8 bytes, escaped, and a SHA-256 per file.</summary>
    private const int ManifestBytes = ApiLimits.MaximumRelayBatch * 4096 + 16 * 1024;

    private const string FormHint = "send a multipart form: a field 'files' (JSON: {\"files\": [{\"path\": …, \"sha256\": …}]}) and then one file field per path, in the same order";

    /// <summary>Writes the batch's files to the project's bucket and records each verdict; the answer lists them in the order sent.</summary>
    public async Task<(CompleteFilesResponse? Verdicts, SessionRefusal? Refusal)> RelayAsync(Caller caller, long id, string? contentType, Stream body, CancellationToken cancellationToken)
    {
        if (options.RelayMaximumFileSize == 0)
        {
            return (null, SessionRefusal.Unsupported("this server does not relay files (Ferry:RelayMaximumFileSize is 0); upload them with presigned URLs"));
        }

        var (found, refused) = await sessions.LoadActiveAsync(caller, id, cancellationToken);
        if (found is null)
        {
            return (null, refused);
        }

        using var lease = limiter.TryOpen(caller.UserId);
        if (lease is null)
        {
            return (null, SessionRefusal.TooMany($"you have {RelayLimiter.PerUser} relay calls running, the most one user may have; send the next when one has answered"));
        }

        if (!MediaTypeHeaderValue.TryParse(contentType, out var type) || !type.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase)
            || HeaderUtilities.RemoveQuotes(type.Boundary).Value is not { Length: > 0 and <= 70 } boundary)
        {
            return (null, SessionRefusal.Invalid(FormHint));
        }

        using var activity = Observability.FerryActivities.StartSession("ferry.session.relay", id);
        var reader = new MultipartReader(boundary, body) { BodyLengthLimit = ManifestBytes };
        try
        {
            var (batch, problem) = await ReadBatchAsync(reader, id, cancellationToken);
            if (batch is null)
            {
                return (null, SessionRefusal.Invalid(problem!));
            }

            activity?.SetTag(Observability.FerryActivities.Files, batch.Count);
            // A file field longer than the largest file relayed stops the read (400); one longer than its file, up to
            // that, fails only its file.
            reader.BodyLengthLimit = options.RelayMaximumFileSize + 1;
            var store = stores.For(found.Project).Objects;
            using var writes = new RelayWrites(store, batch.Count, WritesInFlight, limiter.Writes, logger);
            try
            {
                for (var i = 0; i < batch.Count; i++)
                {
                    if (await reader.ReadNextSectionAsync(cancellationToken) is not { } section)
                    {
                        return (null, SessionRefusal.Invalid($"the form has {i:N0} file field(s) for {batch.Count:N0} path(s); {FormHint}"));
                    }

                    if (!batch[i].Done)
                    {
                        await writes.StartAsync(i, batch[i], section.Body, cancellationToken);
                    }
                }

                if (await reader.ReadNextSectionAsync(cancellationToken) is not null)
                {
                    return (null, SessionRefusal.Invalid($"the form has more file fields than its {batch.Count:N0} path(s); {FormHint}"));
                }
            }
            finally
            {
                await writes.DrainAsync();
            }

            writes.LogFailures(id);
            var sent = Enumerable.Range(0, batch.Count).Where(i => !batch[i].Done).ToList();
            var reports = sent.Select(i => (new UploadReport(batch[i].ClientPath, batch[i].File.Path, null, writes.Md5[i], writes.Sha256[i]), batch[i].File)).ToList();
            var problems = sent.Select((i, n) => writes.Problems[i] ?? SessionFileService.Check(reports[n].Item1, batch[i].File, writes.Stored[i])).ToList();
            await files.CountAttemptsAsync(reports.Select(r => r.File).ToList(), cancellationToken);
            var recorded = await files.RecordAsync(found.Session, found.Project, reports, problems, sent.Select(i => writes.Stored[i]?.ETag).ToList(), cancellationToken);
            // In the order sent: a file already uploaded (or skipped) was not written again; it is answered as it stands.
            var verdicts = new List<CompletedFileResult>(batch.Count);
            var next = 0;
            foreach (var file in batch)
            {
                verdicts.Add(file.Done
                    ? new CompletedFileResult(file.ClientPath, SessionFileService.Reported(file.File.Status, file.File.DuplicateOf), null, file.File.ETag)
                    : new CompletedFileResult(recorded[next].Path, recorded[next].Status, recorded[next].Error, recorded[next++].ETag));
            }

            return (new CompleteFilesResponse(verdicts), null);
        }
        catch (Exception ex) when (ex is InvalidDataException or IOException and not BadHttpRequestException)
        {
            // A field longer than allowed (InvalidDataException), a form that breaks off: nothing is recorded. Objects
            // already written stay as they are; their files stay pending and are uploaded again.
            return (null, SessionRefusal.Invalid($"the form could not be read ({ex.Message}); {FormHint}"));
        }
    }

    /// <summary>The <c>files</c> field: the registered files the form's file fields hold, in order, or why it cannot be used.</summary>
    private async Task<(List<RelayBatchFile>? Batch, string? Problem)> ReadBatchAsync(MultipartReader reader, long id, CancellationToken cancellationToken)
    {
        if (await reader.ReadNextSectionAsync(cancellationToken) is not { } first
            || !ContentDispositionHeaderValue.TryParse(first.ContentDisposition, out var disposition) || disposition.Name.Value != "files" || disposition.IsFileDisposition())
        {
            return (null, $"the first field must be 'files'; {FormHint}");
        }

        RelayRequest? request;
        try
        {
            using var text = new MemoryStream();
            await first.Body.CopyToAsync(text, cancellationToken); // at most ManifestBytes: the reader's limit for this field
            text.Position = 0;
            request = await JsonSerializer.DeserializeAsync<RelayRequest>(text, json.Value.SerializerOptions, cancellationToken);
        }
        catch (ListTooLongException ex)
        {
            return (null, ex.Message);
        }
        catch (JsonException ex)
        {
            return (null, $"the field 'files' is not valid JSON: {ex.Message.Split(" Path:", 2)[0]}");
        }

        if (request?.Files is not { Count: > 0 } entries || entries.Any(e => e is null))
        {
            return (null, $"give 1 to {ApiLimits.MaximumRelayBatch:N0} files per call");
        }

        if (entries.FirstOrDefault(e => e.Sha256 is not null && !UploadKeys.IsSha256Hex(e.Sha256)) is { } bad)
        {
            return (null, $"'{UploadKeys.Shorten(bad.Path)}': sha256 must be 64 hexadecimal digits");
        }

        var (resolved, problem) = await files.ResolveAsync(id, entries.Select(e => e.Path).ToList(), cancellationToken);
        if (problem is not null)
        {
            return (null, problem);
        }

        var seen = new HashSet<long>();
        var batch = new List<RelayBatchFile>(resolved.Count);
        for (var i = 0; i < resolved.Count; i++)
        {
            var (clientPath, file) = resolved[i];
            if (!seen.Add(file.Id))
            {
                return (null, $"'{UploadKeys.Shorten(clientPath)}': the path is listed twice");
            }

            if (file.Size > options.RelayMaximumFileSize)
            {
                return (null, $"'{UploadKeys.Shorten(clientPath)}' has {file.Size:N0} bytes, more than this server relays ({options.RelayMaximumFileSize:N0}, Ferry:RelayMaximumFileSize); upload it with a presigned URL");
            }

            batch.Add(new RelayBatchFile(clientPath, file, entries[i].Sha256?.ToLowerInvariant(), file.Status is FileStatus.Uploaded or FileStatus.Skipped));
        }

        return (batch, null);
    }
}
