using System.Collections.Concurrent;
using System.Globalization;
using System.IO.Compression;
using System.Threading.Channels;
using Ferry.Core.Privacy;

namespace Ferry.Server.Donations;

/// <summary>
/// Donations through the server: the upload is written to <c>DATA/donations/incoming/ID/</c>, consent is recorded, and
/// the donation is queued; <see cref="RunAsync"/> (the background worker) pseudonymizes with the company's key, stores
/// the records, uploads the bundle (verified) and deletes the raw files — the server keeps no originals. Erasure,
/// withdrawal and statistics live here too.
/// </summary>
internal sealed class DonationService(IServiceScopeFactory scopes, DonationStudy study, FerryServerOptions options, TimeProvider time, ILogger<DonationService> logger) : IDisposable
{
    private const int InsertBatch = 1_000;
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

            var running = await db.Donations.CountAsync(d => d.CompanyId == caller.CompanyId && d.Donor == donor && d.Status == Donation.Running, cancellationToken);
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
        var donation = new Donation { CompanyId = caller.CompanyId, Donor = donor, Status = Donation.Running, CreatedAt = now };
        db.Donations.Add(donation);
        await db.SaveChangesAsync(cancellationToken);
        return donation;
    }

    /// <summary>After a restart: donations that were running are failed (their records removed, their uploads deleted); the donor donates again.</summary>
    public async Task RecoverAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<FerryDbContext>();
        var running = await db.Donations.Where(d => d.Status == Donation.Running).ToListAsync(cancellationToken);
        foreach (var donation in running)
        {
            await db.DonatedRecords.Where(r => r.DonationId == donation.Id).ExecuteDeleteAsync(cancellationToken);
            donation.Status = Donation.Failed;
            donation.Message = "interrupted by a server restart; nothing was kept, donate again";
            donation.FinishedAt = time.GetUtcNow();
            if (Directory.Exists(Incoming(donation.Id)))
            {
                Directory.Delete(Incoming(donation.Id), recursive: true);
            }
        }

        await db.SaveChangesAsync(cancellationToken);
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
            if (donation is null || donation.Status != Donation.Running)
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
                    StagingFolder = Path.Combine(options.ResolvedDataDirectory, "donations", "staging"),
                    OnPseudonymizedPart = (part, ct) => StoreRecordsAsync(db, donation, part, ct),
                    Limits = options.ToDonationLimits(),
                    Time = time,
                }, cancellationToken);
            }

            donation.Status = result.Success ? Donation.Completed : Donation.Failed;
            donation.Files = result.Files;
            donation.Records = result.Records;
            donation.Malformed = result.Malformed;
            donation.Bytes = result.Bytes;
            donation.Location = result.Location;
            donation.Message = result.Message;
            donation.FinishedAt = time.GetUtcNow();
            if (!result.Success)
            {
                await db.DonatedRecords.Where(r => r.DonationId == id).ExecuteDeleteAsync(CancellationToken.None);
            }

            db.ChangeTracker.Clear();
            db.Donations.Update(donation);
            await db.SaveChangesAsync(CancellationToken.None);
            logger.LogInformation("Donation {Id}: {Status}, {Files} file(s), {Records} record(s), {Malformed} malformed", id, donation.Status, result.Files, result.Records, result.Malformed);
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
        await using var file = File.OpenRead(part);
        await using var unzip = new GZipStream(file, CompressionMode.Decompress);
        using var reader = new StreamReader(unzip);
        var batch = new List<DonatedRecord>(InsertBatch);
        var now = time.GetUtcNow();
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            batch.Add(new DonatedRecord { CompanyId = donation.CompanyId, DonationId = donation.Id, Donor = donation.Donor, RecordedAt = now, Data = line });
            if (batch.Count == InsertBatch)
            {
                await FlushAsync(db, batch, cancellationToken);
            }
        }

        await FlushAsync(db, batch, cancellationToken);
        _phase[donation.Id] = "uploading";
    }

    private static async Task FlushAsync(FerryDbContext db, List<DonatedRecord> batch, CancellationToken cancellationToken)
    {
        if (batch.Count == 0)
        {
            return;
        }

        db.DonatedRecords.AddRange(batch);
        await db.SaveChangesAsync(cancellationToken);
        foreach (var record in batch)
        {
            db.Entry(record).State = EntityState.Detached;
        }

        batch.Clear();
    }

    /// <summary>
    /// Erases a donor of the caller's company: every object under their prefix in S3, their records, donations and
    /// consent rows; keeps an audit row with counts only. Returns null when <paramref name="pseudonym"/> is not a pseudonym.
    /// </summary>
    public async Task<Erasure?> EraseAsync(FerryDbContext db, long companyId, string pseudonym, CancellationToken cancellationToken)
    {
        if (!DonorErasure.IsPseudonym(pseudonym))
        {
            return null;
        }

        var objects = 0;
        if (study.Destination(companyId) is { } destination)
        {
            objects = (await DonorErasure.EraseAsync(destination.Store, destination.Prefix, pseudonym, ledger: null, time, cancellationToken)).ObjectsDeleted;
            objects += await RewriteExportsAsync(destination.Store, destination.Prefix + "exports/", pseudonym, cancellationToken);
        }

        long rows = 0;
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        rows += await db.DonatedRecords.Where(r => r.CompanyId == companyId && r.Donor == pseudonym).ExecuteDeleteAsync(cancellationToken);
        rows += await db.Donations.Where(d => d.CompanyId == companyId && d.Donor == pseudonym).ExecuteDeleteAsync(cancellationToken);
        rows += await db.Consents.Where(c => c.CompanyId == companyId && c.Donor == pseudonym).ExecuteDeleteAsync(cancellationToken);
        var erasure = new Erasure { CompanyId = companyId, ErasureId = Guid.NewGuid().ToString("N"), At = time.GetUtcNow(), ObjectsDeleted = objects, RowsDeleted = rows };
        db.Erasures.Add(erasure);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        logger.LogInformation("Erasure {ErasureId}: {Objects} object(s) and {Rows} row(s) deleted", erasure.ErasureId, objects, rows);
        return erasure;
    }

    /// <summary>
    /// Scheduled exports hold many donors' records: each one holding records of <paramref name="pseudonym"/> is written
    /// again without them (read, filter, upload, verify by size and SHA-256). Returns how many exports were rewritten.
    /// </summary>
    private async Task<int> RewriteExportsAsync(Core.Storage.IObjectStore store, string prefix, string pseudonym, CancellationToken cancellationToken)
    {
        var rewritten = 0;
        var needle = $"\"donor\":\"{pseudonym}\"";
        await foreach (var export in store.ListAsync(prefix, cancellationToken))
        {
            var temporary = Path.Combine(options.ResolvedDataDirectory, "donations", "erasure-" + Guid.NewGuid().ToString("N") + ".jsonl.gz");
            Directory.CreateDirectory(Path.GetDirectoryName(temporary)!);
            try
            {
                var removed = 0;
                await using (var content = await store.ReadAsync(export.Key, 0, null, cancellationToken))
                await using (var unzip = new GZipStream(content.Content, CompressionMode.Decompress))
                await using (var output = File.Create(temporary))
                await using (var zip = new GZipStream(output, CompressionLevel.Optimal))
                await using (var writer = new StreamWriter(zip) { NewLine = "\n" })
                {
                    using var reader = new StreamReader(unzip);
                    while (await reader.ReadLineAsync(cancellationToken) is { } line)
                    {
                        if (line.Contains(needle, StringComparison.Ordinal))
                        {
                            removed++;
                        }
                        else
                        {
                            await writer.WriteLineAsync(line);
                        }
                    }
                }

                if (removed > 0)
                {
                    var (sha256, md5) = await Core.Hashing.ContentHashes.HashFileAsync(temporary, cancellationToken);
                    var length = new FileInfo(temporary).Length;
                    await using (var upload = File.OpenRead(temporary))
                    {
                        await store.PutAsync(export.Key, upload, length, new Core.Storage.ObjectWriteOptions(sha256, Core.Hashing.ContentHashes.Md5Base64(md5)), cancellationToken);
                    }

                    var head = await store.HeadAsync(export.Key, cancellationToken);
                    if (head is null || head.Size != length || (head.Sha256 is { } stored && stored != sha256))
                    {
                        throw new IOException($"{export.Key} was not rewritten completely; run the erasure again");
                    }

                    rewritten++;
                }
            }
            finally
            {
                File.Delete(temporary);
            }
        }

        return rewritten;
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

        var entry = new ConsentEntry
        {
            CompanyId = caller.CompanyId, Donor = study.DonorOf(caller.CompanyId, caller.UserId), Decision = ConsentRecord.Renewed, At = time.GetUtcNow(),
            PolicyVersion = study.Policy.Version, PolicyHash = study.Policy.Hash, Scope = "donations after a withdrawal, renewed on the Contribute page",
        };
        db.Consents.Add(entry);
        await db.SaveChangesAsync(cancellationToken);
        return entry;
    }

    /// <summary>Records the caller's withdrawal of consent: every later donation is refused until <see cref="RenewAsync"/>.</summary>
    public async Task<ConsentEntry> WithdrawAsync(FerryDbContext db, Caller caller, CancellationToken cancellationToken)
    {
        var entry = new ConsentEntry
        {
            CompanyId = caller.CompanyId, Donor = study.DonorOf(caller.CompanyId, caller.UserId), Decision = ConsentRecord.Withdrawn, At = time.GetUtcNow(),
            PolicyVersion = study.Policy.Version, PolicyHash = study.Policy.Hash, Scope = "all donations",
        };
        db.Consents.Add(entry);
        await db.SaveChangesAsync(cancellationToken);
        return entry;
    }
}
