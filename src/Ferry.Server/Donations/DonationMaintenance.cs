using System.IO.Compression;
using Ferry.Core;
using Ferry.Core.Privacy;
using Ferry.Core.Storage;
using Ferry.Core.Transfer;
using Ferry.Server.Storage;

namespace Ferry.Server.Donations;

/// <summary>
/// The scheduled donation tasks, each recorded in <c>maintenance_runs</c> with its outcome: the export of every
/// company's records of the last <see cref="FerryServerOptions.DonationExportDays"/> days to
/// <c>PREFIX/COMPANY/exports/YYYYMMDD_HHMMSS_last-Nd.jsonl.gz</c> (uploaded with the verified engine), and the
/// retention clean-up that deletes donations older than <see cref="FerryServerOptions.DonationRetentionDays"/> days:
/// their bundles in S3, their records and rows.
/// </summary>
internal sealed class DonationMaintenance(IServiceScopeFactory scopes, DonationStudy study, FerryServerOptions options, TimeProvider time, ILogger<DonationMaintenance> logger)
{
    public async Task ExportAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<FerryDbContext>();
        var since = time.GetUtcNow() - TimeSpan.FromDays(options.DonationExportDays);
        var companies = await db.DonatedRecords.AsNoTracking().Where(r => r.RecordedAt >= since).Select(r => r.CompanyId).Distinct().ToListAsync(cancellationToken);
        foreach (var company in companies)
        {
            await RecordAsync(db, MaintenanceRun.Export, company, async () =>
            {
                var destination = study.Destination(company) ?? throw new InvalidOperationException("Ferry:DonationDestination is not set");
                var now = time.GetUtcNow();
                var name = $"{Timestamps.FileName(now)}_last-{options.DonationExportDays}d.jsonl.gz";
                var folder = Path.Combine(options.ResolvedDataDirectory, "donations", "exports", Guid.NewGuid().ToString("N"));
                Directory.CreateDirectory(folder);
                try
                {
                    long rows;
                    await using (var file = File.Create(Path.Combine(folder, name)))
                    await using (var zip = new GZipStream(file, CompressionLevel.Optimal))
                    {
                        rows = await DonationRecordsWriter.WriteAsync(db, company, options.DonationExportDays, "jsonl", now, zip, cancellationToken);
                    }

                    var summary = await new UploadEngine(null, time).RunAsync(new UploadRequest(folder, destination.Store, destination.Prefix + "exports/"), new UploadOptions(), new TransferProgress(), null, cancellationToken);
                    if (summary.Outcome != TransferOutcome.Completed)
                    {
                        throw new IOException($"the export was not uploaded: {(summary.Failures.Count > 0 ? summary.Failures[0].Reason : null) ?? summary.Message}");
                    }

                    return $"{rows} record(s) of the last {options.DonationExportDays} day(s) to {study.DestinationText(company)}exports/{name}";
                }
                finally
                {
                    Directory.Delete(folder, recursive: true);
                }
            }, cancellationToken);
        }
    }

    public async Task RetentionAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<FerryDbContext>();
        var cutoff = time.GetUtcNow() - TimeSpan.FromDays(options.DonationRetentionDays);
        await RecordAsync(db, MaintenanceRun.Retention, null, async () =>
        {
            var old = await db.Donations.AsNoTracking().Where(d => d.CreatedAt < cutoff).Select(d => new { d.Id, d.CompanyId, d.Location, d.Donor }).ToListAsync(cancellationToken);
            var objects = 0;
            long lines = 0;
            int exports = 0, versions = 0;
            foreach (var company in old.GroupBy(d => d.CompanyId))
            {
                if (study.Destination(company.Key) is not { } destination)
                {
                    continue;
                }

                foreach (var donation in company.Where(d => d.Location is not null))
                {
                    var key = destination.Prefix + "donations/" + donation.Donor + "/" + donation.Location![(donation.Location!.LastIndexOf('/') + 1)..];
                    versions += await VersionPurge.RemoveKeyAsync(destination.Store, key, cancellationToken) ?? 0;
                    objects++;
                }

                // Exports hold the records too: each export holding a line of these donations is rewritten without them.
                var ids = company.Select(d => d.Id).ToHashSet();
                var rewrite = await DonationExports.RemoveLinesAsync(destination.Store, destination.Prefix + "exports/",
                    line => DonationRecordsWriter.DonationIdOf(line) is { } id && ids.Contains(id), Path.Combine(options.ResolvedDataDirectory, "donations", "tmp"), cancellationToken);
                lines += rewrite.LinesRemoved;
                exports += rewrite.Rewritten + rewrite.Deleted;
                versions += rewrite.VersionsRemoved ?? 0;
            }

            var doomed = old.Select(d => d.Id).ToList();
            var records = await db.DonatedRecords.Where(r => doomed.Contains(r.DonationId)).ExecuteDeleteAsync(cancellationToken);
            var donations = await db.Donations.Where(d => doomed.Contains(d.Id)).ExecuteDeleteAsync(cancellationToken);
            // A run of no company is shown to every company's admin: the counts, which add up every company's, go to the server log.
            logger.LogInformation("Donation retention: {Donations} donation(s) older than {Days} day(s) deleted: {Records} record(s), {Objects} bundle(s) in S3, {Lines} line(s) in {Exports} export(s) rewritten, {Versions} old version(s) removed",
                donations, options.DonationRetentionDays, records, objects, lines, exports, versions);
            return $"donations older than {options.DonationRetentionDays} day(s) deleted in every company; the counts are in the server log";
        }, cancellationToken);
    }

    private async Task RecordAsync(FerryDbContext db, string task, long? company, Func<Task<string>> work, CancellationToken cancellationToken)
    {
        var started = time.GetUtcNow();
        string outcome, message;
        try
        {
            message = await work();
            outcome = "ok";
        }
        catch (Exception ex) when (ex is IOException or StoreException or InvalidOperationException or System.Data.Common.DbException)
        {
            // A run of no company is shown to every company: its failure text (which can name other companies' keys) stays in
            // the server log. A company's run is told the kind of failure only (the text can name the endpoint, the bucket
            // or the server's paths).
            (outcome, message) = ("failed", company is null ? "failed; the details are in the server log" : $"failed: {ServerFailureText.Describe(ex)}; the details are in the server log");
            logger.LogWarning("{Task} failed: {Message}", task, ex.Message);
        }

        db.MaintenanceRuns.Add(new MaintenanceRun { Task = task, CompanyId = company, StartedAt = started, FinishedAt = time.GetUtcNow(), Outcome = outcome, Message = message });
        await db.SaveChangesAsync(cancellationToken);
    }
}
