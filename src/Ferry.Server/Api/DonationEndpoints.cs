using System.IO.Compression;
using Ferry.Core.Privacy;
using Ferry.Server.Donations;
using Ferry.Server.Storage;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;

namespace Ferry.Server.Api;

/// <summary>
/// Data donations (<c>/api/donations</c>) and erasure (<c>/api/donors</c>). Every signed-in user may read the policy,
/// donate their own files with consent, follow their donation and withdraw consent; company admins see statistics,
/// export records, see the scheduled tasks and erase a donor.
/// </summary>
internal static class DonationEndpoints
{
    public static void MapDonationEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/donations").WithTags("Donations");
        group.MapGet("/policy", Policy).WithSummary("The consent policy (version, text, SHA-256), what the rules do to records, the caller's donor pseudonym, latest consent decision and whether a withdrawal holds (withdrawn: donations refused until renewed on the Contribute page).");
        group.MapPost("/", DonateAsync).DisableAntiforgery().WithSummary("Donates *.jsonl.gz files (multipart form: files, consent=POLICY VERSION). 202; the work runs in the background. 409 when the caller withdrew consent and has not renewed it on the Contribute page; 413 past a cap on decompressed bytes, records or line length; 429 when the caller already has the most running donations.");
        group.MapGet("/{id:long}", GetAsync).WithSummary("One donation: status (running, completed, failed), phase, counts, location, message.");
        group.MapPost("/withdraw", WithdrawAsync).WithSummary("Withdraws the caller's consent (recorded in the ledger): every later donation is a 409 until the caller renews consent on the Contribute page.");
        group.MapGet("/stats", StatsAsync).RequireAuthorization(AuthorizationPolicies.CompanyAdmin).WithSummary("Totals of donations, records and bytes: all time, last 7 and 30 days; per company for the system administrator.");
        group.MapGet("/export", ExportAsync).RequireAuthorization(AuthorizationPolicies.CompanyAdmin).WithSummary("The company's records of the last N days (days, format=jsonl|csv), streamed.");
        group.MapGet("/maintenance", MaintenanceAsync).RequireAuthorization(AuthorizationPolicies.CompanyAdmin).WithSummary("The scheduled export and retention runs: when, outcome, message.");
        app.MapDelete("/api/donors/{pseudonym}", EraseAsync).RequireAuthorization(AuthorizationPolicies.CompanyAdmin).WithTags("Donations")
            .WithSummary("Erases a donor, leaving nothing: waits for their running donation, every object and version of theirs in S3, their lines in exports (rewritten), their records, donations and consent rows; returns the report of every place checked and keeps it as an audit entry without personal data.");
    }

    private static async Task<Ok<PolicyResponse>> Policy(Caller caller, FerryDbContext db, DonationStudy study, CancellationToken cancellationToken)
    {
        var donor = study.DonorOf(caller.CompanyId, caller.UserId);
        var latest = await db.Consents.AsNoTracking().Where(c => c.CompanyId == caller.CompanyId && c.Donor == donor).OrderByDescending(c => c.Id).Select(c => c.Decision).FirstOrDefaultAsync(cancellationToken);
        var withdrawn = await DonationService.WithdrawalAsync(db, caller.CompanyId, donor, cancellationToken) is not null;
        var rules = study.Rules;
        return TypedResults.Ok(new PolicyResponse(study.Policy.Version, study.Policy.Hash, study.Policy.Text, rules.Study, rules.Pseudonymize, rules.Drop, rules.Generalize, donor, latest, withdrawn, study.IsConfigured, study.DestinationText(caller.CompanyId)));
    }

    private static async Task<Results<Accepted<DonationResponse>, ProblemHttpResult>> DonateAsync(HttpContext http, Caller caller, FerryDbContext db, DonationService donations, DonationStudy study, FerryServerOptions options, CancellationToken cancellationToken)
    {
        if (!study.IsConfigured)
        {
            return ApiProblems.Conflict("donations are not configured on this server; an operator sets Ferry:DonationDestination");
        }

        if (!MediaTypeHeaderValue.TryParse(http.Request.ContentType, out var type) || !type.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase)
            || HeaderUtilities.RemoveQuotes(type.Boundary).Value is not { Length: > 0 } boundary)
        {
            return ApiProblems.BadRequest("send a multipart form with the files (field 'files') and 'consent' set to the policy version");
        }

        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = options.DonationMaximumBytes;
        }

        var (created, refusal) = await donations.CreateAsync(db, caller, cancellationToken);
        if (refusal == DonationRefusal.ConsentWithdrawn)
        {
            return ApiProblems.Conflict("you withdrew your consent to donations; nothing was received. To donate again, renew your consent on the Contribute to science page (/contribute)");
        }

        if (created is not { } donation)
        {
            return ApiProblems.TooManyRequests($"you already have {options.DonationMaximumRunningPerUser} donation(s) running, the most one user may have (Ferry:DonationMaximumRunningPerUser); wait until one has finished");
        }

        var folder = Path.Combine(donations.Incoming(donation.Id), "files");
        var budget = new DonationBudget(options.ToDonationLimits());
        string? consent = null;
        var files = 0;
        long bytes = 0;
        try
        {
            Directory.CreateDirectory(folder);
            var reader = new MultipartReader(boundary, http.Request.Body) { BodyLengthLimit = options.DonationMaximumBytes };
            while (await reader.ReadNextSectionAsync(cancellationToken) is { } section)
            {
                if (!ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition))
                {
                    continue;
                }

                if (disposition.IsFileDisposition())
                {
                    var name = Path.GetFileName(HeaderUtilities.RemoveQuotes(disposition.FileName.HasValue ? disposition.FileName : disposition.FileNameStar).Value ?? "");
                    if (!name.EndsWith(".jsonl.gz", StringComparison.OrdinalIgnoreCase))
                    {
                        throw new BadHttpRequestException($"'{name}' is not a .jsonl.gz file; only gzip-compressed JSON Lines can be donated");
                    }

                    files++;
                    var path = Path.Combine(folder, $"{files:D5}.jsonl.gz");
                    await using (var output = File.Create(path))
                    {
                        await section.Body.CopyToAsync(output, cancellationToken);
                        bytes += output.Length;
                    }

                    if (bytes > options.DonationMaximumBytes)
                    {
                        throw new BadHttpRequestException($"the donation is larger than {options.DonationMaximumBytes:N0} bytes; donate in parts");
                    }

                    // Inflate it once, counting only, before accepting: a gzip bomb stops at the first cap it passes.
                    await using var saved = File.OpenRead(path);
                    await using var unzip = new GZipStream(saved, CompressionMode.Decompress);
                    await budget.ScanAsync(unzip, cancellationToken);
                }
                else if (disposition.Name.Value == "consent")
                {
                    consent = await ReadSmallFieldAsync(section.Body, "consent", cancellationToken);
                }
            }

            if (consent != study.Policy.Version)
            {
                throw new BadHttpRequestException(consent is null
                    ? $"no consent: send 'consent' with the policy version you agreed to ({study.Policy.Version})"
                    : $"the consent is for policy version {consent}, the current policy is version {study.Policy.Version}; read it and agree again");
            }

            if (files == 0)
            {
                throw new BadHttpRequestException("no files: send one or more .jsonl.gz files in the field 'files'");
            }
        }
        catch (Exception ex) when (ex is BadHttpRequestException or IOException or InvalidDataException or DonationLimitException)
        {
            await ForgetAsync(db, donations, caller, donation);
            return ex switch
            {
                DonationLimitException refused => TypedResults.Problem($"{refused.Message} ({OptionOf(refused.Cap)})", statusCode: StatusCodes.Status413PayloadTooLarge, title: "Donation too large"),
                InvalidDataException => ApiProblems.BadRequest("a file is not a complete gzip file; only gzip-compressed JSON Lines can be donated"),
                // A body that breaks off, or the server's disk: the latter's text names the server's folders.
                _ => ApiProblems.BadRequest(ServerFailureText.WithoutDataFolder(ex.Message, options)),
            };
        }
        catch
        {
            // Anything else (the request aborted, a folder that cannot be made): forgotten all the same, or the donation
            // would count as running for the user until a restart and its consent would stay recorded.
            await ForgetAsync(db, donations, caller, donation);
            throw;
        }

        donations.Enqueue(donation.Id);
        return TypedResults.Accepted($"/api/donations/{donation.Id}", DonationResponse.From(donation, donations.Phase(donation.Id)));
    }

    /// <summary>The largest value accepted for a plain form field such as 'consent', in bytes.</summary>
    internal const int MaximumFieldBytes = 1024;

    /// <summary>Reads a plain form field of at most <see cref="MaximumFieldBytes"/> bytes; a longer one is refused without reading on.</summary>
    private static async Task<string> ReadSmallFieldAsync(Stream body, string field, CancellationToken cancellationToken)
    {
        var buffer = new byte[MaximumFieldBytes + 1];
        var length = 0;
        int read;
        while (length < buffer.Length && (read = await body.ReadAsync(buffer.AsMemory(length), cancellationToken)) > 0)
        {
            length += read;
        }

        return length > MaximumFieldBytes
            ? throw new BadHttpRequestException($"the field '{field}' is longer than {MaximumFieldBytes:N0} bytes")
            : System.Text.Encoding.UTF8.GetString(buffer, 0, length).Trim();
    }

    private static string OptionOf(DonationCap cap) => cap switch
    {
        DonationCap.DecompressedBytes => "Ferry:DonationMaximumDecompressedBytes",
        DonationCap.Records => "Ferry:DonationMaximumRecords",
        _ => "Ferry:DonationMaximumLineBytes",
    };

    /// <summary>Undoes a refused donation: its files, its row and the consent recorded for it.</summary>
    private static async Task ForgetAsync(FerryDbContext db, DonationService donations, Caller caller, Donation donation)
    {
        if (Directory.Exists(donations.Incoming(donation.Id)))
        {
            Directory.Delete(donations.Incoming(donation.Id), recursive: true);
        }

        await db.Donations.Where(d => d.Id == donation.Id).ExecuteDeleteAsync(CancellationToken.None);
        // No donation, no consent recorded for it: its own 'granted' row goes (never a withdrawal recorded meanwhile).
        var consentRow = await db.Consents.Where(c => c.CompanyId == caller.CompanyId && c.Donor == donation.Donor && c.Decision == ConsentRecord.Granted)
            .OrderByDescending(c => c.Id).FirstAsync(CancellationToken.None);
        db.Consents.Remove(consentRow);
        await db.SaveChangesAsync(CancellationToken.None);
    }

    private static async Task<Results<Ok<DonationResponse>, ProblemHttpResult>> GetAsync(long id, Caller caller, FerryDbContext db, DonationService donations, DonationStudy study, CancellationToken cancellationToken)
    {
        var donor = study.DonorOf(caller.CompanyId, caller.UserId);
        var donation = await db.Donations.AsNoTracking().FirstOrDefaultAsync(d => d.Id == id && d.CompanyId == caller.CompanyId && (caller.IsAdmin || d.Donor == donor), cancellationToken);
        return donation is null ? ApiProblems.NotFound($"donation {id}") : TypedResults.Ok(DonationResponse.From(donation, donations.Phase(id)));
    }

    private static async Task<Ok<ConsentResponse>> WithdrawAsync(Caller caller, FerryDbContext db, DonationService donations, CancellationToken cancellationToken)
    {
        var entry = await donations.WithdrawAsync(db, caller, cancellationToken);
        return TypedResults.Ok(new ConsentResponse(entry.Donor, entry.Decision, entry.At, entry.PolicyVersion));
    }

    private static async Task<Ok<List<DonationStats>>> StatsAsync(Caller caller, FerryDbContext db, TimeProvider time, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var (week, month) = (now.AddDays(-7), now.AddDays(-30));
        // The system administrator sees every company's totals; anyone else their own company's.
        var donations = (caller.IsSystemAdmin ? db.Donations.AcrossCompanies() : db.Donations).AsNoTracking().Where(d => d.Status == DonationStatus.Completed);
        var rows = await donations.GroupBy(d => d.CompanyId).Select(g => new DonationStats(g.Key,
            g.LongCount(), g.Sum(d => d.Records), g.Sum(d => d.Bytes),
            g.LongCount(d => d.CreatedAt >= week), g.Where(d => d.CreatedAt >= week).Sum(d => d.Records), g.Where(d => d.CreatedAt >= week).Sum(d => d.Bytes),
            g.LongCount(d => d.CreatedAt >= month), g.Where(d => d.CreatedAt >= month).Sum(d => d.Records), g.Where(d => d.CreatedAt >= month).Sum(d => d.Bytes)))
            .ToListAsync(cancellationToken);
        return TypedResults.Ok(rows.OrderBy(r => r.CompanyId).ToList());
    }

    private static async Task<Results<EmptyHttpResult, ProblemHttpResult>> ExportAsync(HttpContext http, Caller caller, FerryDbContext db, TimeProvider time, int? days, string? format, CancellationToken cancellationToken)
    {
        format ??= "jsonl";
        if (days is not (>= 1 and <= 3650) || !DonationRecordsWriter.IsFormat(format))
        {
            return ApiProblems.BadRequest("give days (1 to 3,650) and format jsonl or csv");
        }

        http.Response.ContentType = format == "csv" ? "text/csv; charset=utf-8" : "application/x-ndjson; charset=utf-8";
        http.Response.Headers.ContentDisposition = $"attachment; filename=\"donations-last-{days}d.{format}\"";
        await DonationRecordsWriter.WriteAsync(db, caller.CompanyId, days.Value, format, time.GetUtcNow(), http.Response.Body, cancellationToken);
        return TypedResults.Empty;
    }

    private static async Task<Ok<List<MaintenanceRun>>> MaintenanceAsync(Caller caller, FerryDbContext db, CancellationToken cancellationToken) =>
        TypedResults.Ok(await db.MaintenanceRuns.AsNoTracking().Where(m => m.CompanyId == null || m.CompanyId == caller.CompanyId).OrderByDescending(m => m.Id).Take(50).ToListAsync(cancellationToken));

    private static async Task<Results<Ok<ErasureResponse>, ProblemHttpResult>> EraseAsync(string pseudonym, Caller caller, FerryDbContext db, DonationService donations, CancellationToken cancellationToken)
    {
        var erased = await donations.EraseAsync(db, caller.CompanyId, pseudonym, cancellationToken);
        return erased is not { } done
            ? ApiProblems.BadRequest("that is not a donor pseudonym (p_ and 32 hex digits)")
            : TypedResults.Ok(new ErasureResponse(done.Erasure.ErasureId, done.Erasure.At, done.Erasure.ObjectsDeleted, done.Erasure.RowsDeleted, done.Report.Places));
    }
}

internal sealed record PolicyResponse(string Version, string Hash, string Text, string Study, IReadOnlyList<string> Pseudonymize, IReadOnlyList<string> Drop,
    IReadOnlyDictionary<string, string> Generalize, string Donor, string? Consent, bool Withdrawn, bool Configured, string Destination);

internal sealed record DonationResponse(long Id, string Donor, string Status, string? Phase, int Files, long Records, long Malformed, long Bytes, string? Location, string? Message, DateTimeOffset CreatedAt, DateTimeOffset? FinishedAt)
{
    public static DonationResponse From(Donation d, string? phase) => new(d.Id, d.Donor, d.Status.Name(), phase, d.Files, d.Records, d.Malformed, d.Bytes, d.Location, d.Message, d.CreatedAt, d.FinishedAt);
}

internal sealed record ConsentResponse(string Donor, string Decision, DateTimeOffset At, string PolicyVersion);

internal sealed record DonationStats(long CompanyId, long Donations, long Records, long Bytes, long Donations7Days, long Records7Days, long Bytes7Days, long Donations30Days, long Records30Days, long Bytes30Days);

internal sealed record ErasureResponse(string ErasureId, DateTimeOffset At, int ObjectsDeleted, long RowsDeleted, IReadOnlyList<Ferry.Core.Privacy.ErasurePlace> Places);
