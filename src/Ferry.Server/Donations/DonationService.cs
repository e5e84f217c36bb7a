using System.Collections.Concurrent;
using System.Globalization;
using System.Threading.Channels;
using Ferry.Core.Privacy;
using Ferry.Server.Storage;

namespace Ferry.Server.Donations;

/// <summary>
/// Donations through the server: the upload is written to <c>DATA/donations/incoming/ID/</c>, consent is recorded, and
/// the donation is queued; <see cref="RunAsync"/> (the background worker) pseudonymizes with the company's key, stores
/// the records, uploads the bundle (verified) and deletes the raw files — the server keeps no originals. Erasure,
/// withdrawal and statistics live here too.
/// </summary>
internal sealed class DonationService(IServiceScopeFactory scopes, DonationStudy study, DonationLinkIntake links, FerryServerOptions options, TimeProvider time, ILogger<DonationService> logger) : IQueuedWork, IDisposable
{
    private readonly Channel<long> _queue = Channel.CreateUnbounded<long>(new UnboundedChannelOptions { SingleReader = true });
    private readonly ConcurrentDictionary<long, string> _phase = new();
    private readonly SemaphoreSlim _admission = new(1, 1);

    public ChannelReader<long> Queue => _queue.Reader;

    public string? Phase(long id) => _phase.GetValueOrDefault(id);

    public void Dispose() => _admission.Dispose();

    public string Incoming(long id) => Path.Combine(options.ResolvedDataDirectory, "donations", "incoming", id.ToString(CultureInfo.InvariantCulture));

    /// <summary>
    /// Records consent and the donation (running) before its files are read into <see cref="Incoming"/>. Records nothing
    /// and says why when the caller withdrew consent and has not renewed it (<see cref="RenewAsync"/>), or already has
    /// <see cref="FerryServerOptions.DonationMaximumRunningPerUser"/> donations running (the checks and the insert are
    /// one step for this server process).
    /// </summary>
    public async Task<(Donation? Donation, DonationRefusal Refusal)> CreateAsync(FerryDbContext db, Caller caller, CancellationToken cancellationToken)
    {
        var donor = study.DonorOf(caller.CompanyId, caller.UserId);
        await _admission.WaitAsync(cancellationToken);
        try
        {
            if (await WithdrawalAsync(db, caller.CompanyId, donor, cancellationToken) is not null)
            {
                return (null, DonationRefusal.ConsentWithdrawn);
            }

            var running = await db.Donations.CountAsync(d => d.CompanyId == caller.CompanyId && d.Donor == donor && d.Status == DonationStatus.Running, cancellationToken);
            return running >= options.DonationMaximumRunningPerUser
                ? (null, DonationRefusal.TooManyRunning)
                : (await AddAsync(db, caller, donor, cancellationToken), DonationRefusal.None);
        }
        finally
        {
            _admission.Release();
        }
    }

    /// <summary>
    /// The donor's withdrawal that still holds — the latest <c>withdrawn</c> or <c>renewed</c> row is <c>withdrawn</c> —
    /// or null. A donation's own <c>granted</c> row never lifts a withdrawal (<see cref="ConsentRecord.IsHeld"/>), on any
    /// device: the rows are the server's, per company and donor pseudonym.
    /// </summary>
    public static async Task<ConsentEntry?> WithdrawalAsync(FerryDbContext db, long companyId, string donor, CancellationToken cancellationToken)
    {
        var latest = await db.Consents.AsNoTracking()
            .Where(c => c.CompanyId == companyId && c.Donor == donor && (c.Decision == ConsentRecord.Withdrawn || c.Decision == ConsentRecord.Renewed))
            .OrderByDescending(c => c.Id).FirstOrDefaultAsync(cancellationToken);
        return latest is { Decision: ConsentRecord.Withdrawn } ? latest : null;
    }

    private async Task<Donation> AddAsync(FerryDbContext db, Caller caller, string donor, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        db.Consents.Add(new ConsentEntry
        {
            CompanyId = caller.CompanyId, Donor = donor, Decision = ConsentRecord.Granted, At = now, PolicyVersion = study.Policy.Version,
            PolicyHash = study.Policy.Hash, Scope = "*.jsonl.gz files donated in the web app",
        });
        var donation = new Donation { CompanyId = caller.CompanyId, Donor = donor, Status = DonationStatus.Running, CreatedAt = now };
        db.Donations.Add(donation);
        await db.SaveChangesAsync(cancellationToken);
        return donation;
    }

    /// <summary>Where the worker builds bundles (<see cref="DataDonation"/>'s staging; erasures lock it).</summary>
    public string StagingRoot => Path.Combine(options.ResolvedDataDirectory, "donations", "staging");

    /// <summary>Where export rewrites and other short-lived files go.</summary>
    public string TemporaryRoot => Path.Combine(options.ResolvedDataDirectory, "donations", "tmp");

    /// <summary>
    /// After a restart (a crash, a kill, a power cut): donations that were running are failed, and everything they may
    /// have left is removed — their records, a bundle they may already have uploaded (an object under the donor's prefix
    /// written since the donation began that no completed donation names, every version of it), their lines in exports
    /// written meanwhile, their uploads in <c>incoming/</c>, staging folders no running donation holds, temporary export
    /// folders and files; donation-link uploads cut off mid-finish or abandoned, and every digest-form file in
    /// <c>donations/links/</c> but the uploads that can still resume (<see cref="DonationLinkIntake.RecoverAsync"/>). The
    /// donor donates again.
    /// </summary>
    public async Task RecoverAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<FerryDbContext>();
        var running = await db.Donations.Where(d => d.Status == DonationStatus.Running).ToListAsync(cancellationToken);
        long records = 0;
        var bundles = 0;
        foreach (var donation in running)
        {
            records += await db.DonatedRecords.Where(r => r.DonationId == donation.Id).ExecuteDeleteAsync(cancellationToken);
            donation.Status = DonationStatus.Failed;
            donation.Message = "interrupted by a server restart; nothing was kept, donate again";
            donation.FinishedAt = time.GetUtcNow();
            if (Directory.Exists(Incoming(donation.Id)))
            {
                Directory.Delete(Incoming(donation.Id), recursive: true);
            }

            bundles += await DeleteStrayBundlesAsync(db, donation, cancellationToken);
        }

        await db.SaveChangesAsync(cancellationToken);
        await links.RecoverAsync(db, cancellationToken); // before staging goes: a finish's keyed staging is one of the abandoned folders
        var lines = 0L;
        foreach (var company in running.GroupBy(d => d.CompanyId))
        {
            if (study.Destination(company.Key) is { } destination)
            {
                var ids = company.Select(d => d.Id).ToHashSet();
                lines += (await DonationExports.RemoveLinesAsync(destination.Store, destination.Prefix + "exports/", line => DonationRecordsWriter.DonationIdOf(line) is { } id && ids.Contains(id), TemporaryRoot, cancellationToken)).LinesRemoved;
            }
        }

        var staging = DonationStaging.CleanAbandoned(StagingRoot);
        var leftovers = DeleteFolders(Path.Combine(options.ResolvedDataDirectory, "donations", "incoming"))
            + DeleteFolders(Path.Combine(options.ResolvedDataDirectory, "donations", "exports"))
            + DeleteFolders(TemporaryRoot);
        if (running.Count + staging + leftovers > 0)
        {
            logger.LogInformation("Start-up clean-up: {Donations} interrupted donation(s) failed ({Records} record(s), {Bundles} bundle(s), {Lines} export line(s) removed); {Staging} staging folder(s) and {Leftovers} other leftover(s) deleted",
                running.Count, records, bundles, lines, staging, leftovers);
        }
    }

    /// <summary>Bundles an interrupted donation may have uploaded before the crash: written since it began, named by no completed donation.</summary>
    private async Task<int> DeleteStrayBundlesAsync(FerryDbContext db, Donation donation, CancellationToken cancellationToken)
    {
        if (study.Destination(donation.CompanyId) is not { } destination)
        {
            return 0;
        }

        var known = (await db.Donations.AsNoTracking().Where(d => d.CompanyId == donation.CompanyId && d.Donor == donation.Donor && d.Location != null).Select(d => d.Location!).ToListAsync(cancellationToken))
            .Select(l => l[(l.LastIndexOf('/') + 1)..]).ToHashSet(StringComparer.Ordinal);
        var prefix = destination.Prefix + "donations/" + donation.Donor + "/";
        var stray = new List<string>();
        await foreach (var item in destination.Store.ListAsync(prefix, cancellationToken))
        {
            if (item.LastModified >= donation.CreatedAt - TimeSpan.FromMinutes(1) && !known.Contains(item.Key[prefix.Length..]))
            {
                stray.Add(item.Key);
            }
        }

        foreach (var key in stray)
        {
            await VersionPurge.RemoveKeyAsync(destination.Store, key, cancellationToken);
        }

        return stray.Count;
    }

    /// <summary>Deletes every folder and file in <paramref name="root"/> (at start-up nothing there is in use); returns how many.</summary>
    private static int DeleteFolders(string root)
    {
        if (!Directory.Exists(root))
        {
            return 0;
        }

        var count = 0;
        foreach (var entry in new DirectoryInfo(root).EnumerateFileSystemInfos())
        {
            if (entry is DirectoryInfo directory)
            {
                directory.Delete(recursive: true);
            }
            else
            {
                entry.Delete();
            }

            count++;
        }

        return count;
    }

    public void Enqueue(long id)
    {
        _phase[id] = "queued";
        _queue.Writer.TryWrite(id);
    }

    public async Task RunAsync(long id, CancellationToken cancellationToken)
    {
        var incoming = Incoming(id);
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<FerryDbContext>();
            var donation = await db.Donations.FirstOrDefaultAsync(d => d.Id == id, cancellationToken);
            if (donation is null || donation.Status != DonationStatus.Running)
            {
                return;
            }

            _phase[id] = "pseudonymizing";
            DonationResult result;
            if (await WithdrawalAsync(db, donation.CompanyId, donation.Donor, cancellationToken) is not null)
            {
                // Accepted before the donor withdrew: the withdrawal wins, nothing is processed or sent.
                result = new DonationResult(false, "consent was withdrawn before this donation was processed; nothing was sent", donation.Donor, 0, 0, 0, 0, null, []);
            }
            else if (study.Destination(donation.CompanyId) is not { } destination)
            {
                result = new DonationResult(false, "donations are not configured on this server (Ferry:DonationDestination)", donation.Donor, 0, 0, 0, 0, null, []);
            }
            else
            {
                result = await DataDonation.DonateAsync(new DonationRequest
                {
                    Folder = Path.Combine(incoming, "files"),
                    Store = destination.Store,
                    Prefix = destination.Prefix,
                    Pseudonymizer = study.For(donation.CompanyId),
                    Policy = study.Policy,
                    DonorPseudonym = donation.Donor,
                    ConsentedVersion = study.Policy.Version,
                    ArchiveFolder = Path.Combine(incoming, "done"),
                    TellsWhereOriginalsWent = false,
                    StagingFolder = StagingRoot,
                    OnPseudonymizedPart = (part, ct) => StoreRecordsAsync(db, donation, part, ct),
                    Limits = options.ToDonationLimits(),
                    Time = time,
                }, cancellationToken);
            }

            var status = result.Success ? DonationStatus.Completed : DonationStatus.Failed;
            var finishedAt = time.GetUtcNow();
            if (!result.Success)
            {
                await db.DonatedRecords.Where(r => r.DonationId == id).ExecuteDeleteAsync(CancellationToken.None);
            }

            db.ChangeTracker.Clear();
            // Only while the row is still there: an erasure that ran meanwhile deleted it, and then what this donation wrote goes too.
            var updated = await db.Donations.Where(d => d.Id == id && d.Status == DonationStatus.Running).ExecuteUpdateAsync(u => u
                .SetProperty(d => d.Status, status).SetProperty(d => d.Files, result.Files).SetProperty(d => d.Records, result.Records)
                .SetProperty(d => d.Malformed, result.Malformed).SetProperty(d => d.Bytes, result.Bytes).SetProperty(d => d.Location, result.Location)
                .SetProperty(d => d.Message, ShownToDonor(result.Message)).SetProperty(d => d.FinishedAt, finishedAt), CancellationToken.None);
            if (updated == 0)
            {
                await DiscardAsync(donation, result, CancellationToken.None);
                logger.LogInformation("Donation {Id} was erased while it ran; what it wrote was removed", id);
                return;
            }

            logger.LogInformation("Donation {Id}: {Status}, {Files} file(s), {Records} record(s), {Malformed} malformed", id, status, result.Files, result.Records, result.Malformed);
        }
        finally
        {
            _phase.TryRemove(id, out _);
            if (Directory.Exists(incoming))
            {
                Directory.Delete(incoming, recursive: true); // the server keeps no raw originals
            }
        }
    }

    /// <summary>Inserts a pseudonymized part's records in batches; a million rows never sit in memory.</summary>
    private async Task StoreRecordsAsync(FerryDbContext db, Donation donation, string part, CancellationToken cancellationToken)
    {
        _phase[donation.Id] = "storing records";
        await DonatedRecordsImport.InsertAsync(db, donation, part, time.GetUtcNow(), cancellationToken);
        _phase[donation.Id] = "uploading";
    }

    /// <summary>
    /// Removes what a donation wrote when its donor was erased while it ran (the erasure deleted its row): its records,
    /// its bundle with every version, its lines in exports.
    /// </summary>
    private async Task DiscardAsync(Donation donation, DonationResult result, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<FerryDbContext>();
        await db.DonatedRecords.Where(r => r.DonationId == donation.Id).ExecuteDeleteAsync(cancellationToken);
        if (study.Destination(donation.CompanyId) is { } destination)
        {
            if (result.Location is { } location)
            {
                await VersionPurge.RemoveKeyAsync(destination.Store, destination.Prefix + "donations/" + donation.Donor + "/" + location[(location.LastIndexOf('/') + 1)..], cancellationToken);
            }

            await DonationExports.RemoveLinesAsync(destination.Store, destination.Prefix + "exports/", line => DonationRecordsWriter.DonationIdOf(line) == donation.Id, TemporaryRoot, cancellationToken);
        }
    }

    /// <summary>
    /// Erases a donor of the caller's company, leaving nothing: waits for a donation of the server that is running
    /// (then erases what it wrote; one that starts later finds its row gone and removes what it wrote itself), then
    /// <see cref="DonorErasure"/> on the company's storage (objects, versions, exports), then their records, donations
    /// and consent rows, and queued uploads. Keeps an audit row with the report — places and counts, no pseudonym.
    /// Returns null when <paramref name="pseudonym"/> is not a pseudonym.
    /// </summary>
    public async Task<(Erasure Erasure, ErasureReport Report)?> EraseAsync(FerryDbContext db, long companyId, string pseudonym, CancellationToken cancellationToken)
    {
        if (!DonorErasure.IsPseudonym(pseudonym))
        {
            return null;
        }

        // First mark the company's open link uploads: their donor is known only when they finish, and a marked upload of
        // this donor is refused then (one being finished now holds the donation lock, which DonorErasure waits for).
        var linkUploads = await links.MarkErasureAsync(db, companyId, pseudonym, cancellationToken);
        var running = await db.Donations.AsNoTracking().Where(d => d.CompanyId == companyId && d.Donor == pseudonym && d.Status == DonationStatus.Running).Select(d => d.Id).ToListAsync(cancellationToken);
        ErasureReport report;
        if (study.Destination(companyId) is { } destination)
        {
            report = await DonorErasure.EraseAsync(new ErasureRequest
            {
                Pseudonym = pseudonym, Store = destination.Store, Prefix = destination.Prefix, StagingFolder = StagingRoot, StagingName = "the server's donation staging", TemporaryFolder = TemporaryRoot, Time = time,
            }, cancellationToken);
        }
        else
        {
            report = new ErasureReport(Guid.NewGuid().ToString("N"), time.GetUtcNow(), [new ErasurePlace("storage", "(no Ferry:DonationDestination)", 0, 0, "donations are not configured: no storage to check")]);
        }

        var incoming = 0;
        foreach (var id in running.Where(id => Phase(id) == "queued" && Directory.Exists(Incoming(id))))
        {
            Directory.Delete(Incoming(id), recursive: true);
            incoming++;
        }

        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var records = await db.DonatedRecords.Where(r => r.CompanyId == companyId && r.Donor == pseudonym).ExecuteDeleteAsync(cancellationToken);
        var donations = await db.Donations.Where(d => d.CompanyId == companyId && d.Donor == pseudonym).ExecuteDeleteAsync(cancellationToken);
        var consents = await db.Consents.Where(c => c.CompanyId == companyId && c.Donor == pseudonym).ExecuteDeleteAsync(cancellationToken);
        report = report.With(
            new ErasurePlace("server.incoming", "uploads of the donor's running donations in the data directory", running.Count, incoming,
                $"{running.Count} running donation(s): {incoming} queued upload(s) deleted; one being received or processed removes what it wrote when it finds its row gone"),
            new ErasurePlace("server.link_uploads", "donation-link uploads open in the data directory", linkUploads, 0,
                $"{linkUploads} open upload(s) marked: the finish refuses one that is this donor's and deletes it; one being finished was waited for and its output erased"),
            new ErasurePlace("database.donated_records", "donated_records", records, records, $"{records} record(s) deleted"),
            new ErasurePlace("database.donations", "donations", donations, donations, $"{donations} donation(s) deleted"),
            new ErasurePlace("database.consent_records", "consent_records", consents, consents, $"{consents} consent decision(s) deleted"));
        var rows = (long)records + donations + consents;
        var erasure = new Erasure
        {
            CompanyId = companyId, ErasureId = report.Id, At = report.At, ObjectsDeleted = report.ObjectsDeleted, RowsDeleted = rows,
            Report = report.PlacesJson(),
        };
        db.Erasures.Add(erasure);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        logger.LogInformation("Erasure {ErasureId}: {Objects} object(s) and {Rows} row(s) deleted", erasure.ErasureId, erasure.ObjectsDeleted, rows);
        return (erasure, report);
    }

    /// <summary>
    /// Renews the caller's consent after a withdrawal: <paramref name="typedVersion"/> is the policy version the person
    /// typed on the Contribute page. Returns null, recording nothing, when it is not the current version or no
    /// withdrawal holds (so repeated posts cannot fill the ledger).
    /// </summary>
    public async Task<ConsentEntry?> RenewAsync(FerryDbContext db, Caller caller, string? typedVersion, CancellationToken cancellationToken)
    {
        if (typedVersion?.Trim() != study.Policy.Version
            || await WithdrawalAsync(db, caller.CompanyId, study.DonorOf(caller.CompanyId, caller.UserId), cancellationToken) is null)
        {
            return null;
        }

        return await RecordConsentAsync(db, caller, ConsentRecord.Renewed, "donations after a withdrawal, renewed on the Contribute page", cancellationToken);
    }

    /// <summary>Records the caller's withdrawal of consent: every later donation is refused until <see cref="RenewAsync"/>.</summary>
    public Task<ConsentEntry> WithdrawAsync(FerryDbContext db, Caller caller, CancellationToken cancellationToken) =>
        RecordConsentAsync(db, caller, ConsentRecord.Withdrawn, "all donations", cancellationToken);

    /// <summary>Records the caller's <paramref name="decision"/> under the current policy, now, in the consent ledger.</summary>
    private async Task<ConsentEntry> RecordConsentAsync(FerryDbContext db, Caller caller, string decision, string scope, CancellationToken cancellationToken)
    {
        var entry = new ConsentEntry
        {
            CompanyId = caller.CompanyId, Donor = study.DonorOf(caller.CompanyId, caller.UserId), Decision = decision, At = time.GetUtcNow(),
            PolicyVersion = study.Policy.Version, PolicyHash = study.Policy.Hash, Scope = scope,
        };
        db.Consents.Add(entry);
        await db.SaveChangesAsync(cancellationToken);
        return entry;
    }

    /// <summary>A donation's outcome as its donor reads it: the server's own folders (where the files were staged and archived) not named.</summary>
    private string? ShownToDonor(string? message) => message is null ? null : ServerFailureText.WithoutDataFolder(message, options);
}
