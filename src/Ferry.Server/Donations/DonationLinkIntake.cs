using Ferry.Core;
using Ferry.Core.Hashing;
using Ferry.Core.Privacy;
using Ferry.Core.Transfer;

namespace Ferry.Server.Donations;

/// <summary>
/// The donor's side of a donation link, with no account: the link's information (policy, rules, the study's public
/// salt), resumable uploads of a digest bundle into <c>DATA/donations/links/ID.zip</c> (offsets, one chunk at a time), and
/// the finish: the bundle is checked and re-keyed with the company's key (<see cref="DigestRekeyer"/>), its records
/// stored, the keyed bundle uploaded (verified) and consent and donation recorded; the upload and every digest-form
/// file are deleted whatever the outcome.
/// A caller here has no company: the link is found by its token's hash across companies
/// (<see cref="TenantQueries.AcrossCompanies{T}"/>, listed in docs/architecture.md), and every later query names the
/// link's company and id.
/// </summary>
internal sealed class DonationLinkIntake(DonationStudy study, FerryServerOptions options, TimeProvider time, ILogger<DonationLinkIntake> logger) : IDisposable
{
    private readonly SemaphoreSlim _finishing = new(options.DonationLinkFinishesAtOnce);

    public string Folder => Path.Combine(options.ResolvedDataDirectory, "donations", "links");

    public void Dispose() => _finishing.Dispose();

    public string UploadPath(string id) => Path.Combine(Folder, id + ".zip");

    /// <summary>The usable link of <paramref name="token"/>, or why not (404 unknown, 410 revoked or expired, 409 used up or policy changed).</summary>
    public async Task<(DonationLink? Link, LinkRefusal? Refusal)> ResolveAsync(FerryDbContext db, string? token, CancellationToken cancellationToken)
    {
        if (token is null)
        {
            return (null, new LinkRefusal(StatusCodes.Status401Unauthorized, $"send the link's token in the {DonationLinkToken.Header} header (the part after '#' in the link)"));
        }

        var hash = DonationLinkToken.Hash(token);
        var link = await db.DonationLinks.AcrossCompanies().AsNoTracking().FirstOrDefaultAsync(l => l.TokenHash == hash, cancellationToken);
        var now = time.GetUtcNow();
        return link switch
        {
            null => (null, new LinkRefusal(StatusCodes.Status404NotFound, "this donation link does not exist; check that you copied all of it")),
            { RevokedAt: { } revoked } => (null, new LinkRefusal(StatusCodes.Status410Gone, $"this donation link was revoked on {Timestamps.ForPeople(revoked)}; ask the study for a new one")),
            _ when link.ExpiresAt <= now => (null, new LinkRefusal(StatusCodes.Status410Gone, $"this donation link expired on {Timestamps.ForPeople(link.ExpiresAt)}; ask the study for a new one")),
            _ when link.PolicyVersion != study.Policy.Version => (null, new LinkRefusal(StatusCodes.Status410Gone, $"this donation link was made for policy version {link.PolicyVersion}, the study's policy is now version {study.Policy.Version}; ask the study for a new link")),
            _ => (link, null),
        };
    }

    /// <summary>What a donor's machine needs: the policy, the rules (as JSON, hashed as the manifest states them), the public salt and the limits.</summary>
    public LinkInfo Info(DonationLink link)
    {
        var keyed = study.For(link.CompanyId);
        var rules = study.Rules;
        return new LinkInfo(link.Label, rules.Study, study.Policy.Version, study.Policy.Hash, study.Policy.Text,
            rules.ToJson(), rules.Hash(), Convert.ToBase64String(keyed.LinkSalt()),
            link.ExpiresAt, link.MaxBytes, Math.Max(0, link.MaxDonations - link.Donations), options.DonationLinkChunkBytes);
    }

    /// <summary>Starts an upload of <paramref name="length"/> bytes with the donor's consent; refused past the link's limits.</summary>
    public async Task<(DonationLinkUpload? Upload, LinkRefusal? Refusal)> StartAsync(FerryDbContext db, DonationLink link, long length, string? sha256, string? consent, CancellationToken cancellationToken)
    {
        if (consent?.Trim() != study.Policy.Version)
        {
            return (null, new LinkRefusal(StatusCodes.Status400BadRequest, consent is null
                ? $"no consent: send 'consent' with the policy version you agreed to ({study.Policy.Version})"
                : $"the consent is for policy version {consent}, the current policy is version {study.Policy.Version}; read it and agree again"));
        }

        if (length < 1 || length > link.MaxBytes)
        {
            return (null, new LinkRefusal(StatusCodes.Status413PayloadTooLarge, $"this link accepts bundles of 1 to {link.MaxBytes:N0} bytes; this one has {length:N0}"));
        }

        if (sha256 is not null && !(sha256.Length == 64 && sha256.All(char.IsAsciiHexDigitLower)))
        {
            return (null, new LinkRefusal(StatusCodes.Status400BadRequest, "sha256 must be 64 lower-case hex digits"));
        }

        var open = await db.DonationLinkUploads.AcrossCompanies().CountAsync(u => u.LinkId == link.Id && (u.Status == DonationLinkUploadStatus.Receiving || u.Status == DonationLinkUploadStatus.Processing), cancellationToken);
        if (link.Donations + open >= link.MaxDonations)
        {
            return (null, new LinkRefusal(StatusCodes.Status409Conflict, $"this donation link has taken the {link.MaxDonations:N0} donation(s) it allows; ask the study for a new one"));
        }

        var upload = new DonationLinkUpload
        {
            Id = Guid.NewGuid().ToString("N"), CompanyId = link.CompanyId, LinkId = link.Id, Length = length, Sha256 = sha256, ConsentVersion = study.Policy.Version,
            Status = DonationLinkUploadStatus.Receiving, CreatedAt = time.GetUtcNow(),
        };
        Directory.CreateDirectory(Folder);
        await File.WriteAllBytesAsync(UploadPath(upload.Id), [], cancellationToken);
        db.DonationLinkUploads.Add(upload);
        await db.SaveChangesAsync(cancellationToken);
        return (upload, null);
    }

    [System.Diagnostics.CodeAnalysis.SuppressMessage("Performance", "CA1822", Justification = "Part of the service the endpoints receive by injection.")]
    public Task<DonationLinkUpload?> FindAsync(FerryDbContext db, DonationLink link, string id, CancellationToken cancellationToken) =>
        db.DonationLinkUploads.AcrossCompanies().FirstOrDefaultAsync(u => u.Id == id && u.LinkId == link.Id && u.CompanyId == link.CompanyId, cancellationToken);

    /// <summary>Bytes received so far (the file's length).</summary>
    public long Offset(DonationLinkUpload upload) => File.Exists(UploadPath(upload.Id)) ? new FileInfo(UploadPath(upload.Id)).Length : 0;

    /// <summary>
    /// Appends one chunk at <paramref name="offset"/>, which must be the bytes received so far. Bytes past the declared
    /// length are refused. A chunk cut off by a broken connection stays as far as it came: ask the offset and go on.
    /// </summary>
    public async Task<(long Offset, LinkRefusal? Refusal)> AppendAsync(DonationLinkUpload upload, long offset, Stream body, CancellationToken cancellationToken)
    {
        if (upload.Status != DonationLinkUploadStatus.Receiving)
        {
            return (Offset(upload), new LinkRefusal(StatusCodes.Status409Conflict, $"this upload is {upload.Status.Name()}; start a new one"));
        }

        FileStream file;
        try
        {
            file = new FileStream(UploadPath(upload.Id), FileMode.Open, FileAccess.Write, FileShare.Read, 1 << 16, FileOptions.Asynchronous);
        }
        catch (IOException)
        {
            return (Offset(upload), new LinkRefusal(StatusCodes.Status409Conflict, "another request is writing this upload; ask its offset and go on from there"));
        }

        await using (file)
        {
            if (file.Length != offset)
            {
                return (file.Length, new LinkRefusal(StatusCodes.Status409Conflict, $"the upload has {file.Length:N0} bytes, not {offset:N0}; go on from Upload-Offset {file.Length}"));
            }

            file.Seek(offset, SeekOrigin.Begin);
            var buffer = new byte[1 << 16];
            var position = offset;
            int read;
            try
            {
                while ((read = await body.ReadAsync(buffer, cancellationToken)) > 0)
                {
                    if (position + read > upload.Length)
                    {
                        return (position, new LinkRefusal(StatusCodes.Status413PayloadTooLarge, $"the upload was declared as {upload.Length:N0} bytes; this chunk goes past that"));
                    }

                    await file.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                    position += read;
                }
            }
            finally
            {
                await file.FlushAsync(CancellationToken.None);
            }

            return (position, null);
        }
    }

    /// <summary>
    /// Checks, re-keys and delivers a complete upload; returns the donation, or why it was refused (nothing kept then).
    /// Runs in the request: the donor's machine archives its originals only after this answer.
    /// </summary>
    public async Task<(Donation? Donation, LinkRefusal? Refusal)> FinishAsync(FerryDbContext db, DonationLink link, DonationLinkUpload upload, CancellationToken cancellationToken)
    {
        var path = UploadPath(upload.Id);
        if (upload.Status != DonationLinkUploadStatus.Receiving || Offset(upload) != upload.Length)
        {
            return (null, new LinkRefusal(StatusCodes.Status409Conflict, upload.Status != DonationLinkUploadStatus.Receiving
                ? $"this upload is {upload.Status.Name()}; start a new one"
                : $"the upload has {Offset(upload):N0} of {upload.Length:N0} bytes; send the rest first"));
        }

        // A finish unpacks, checks and re-keys the whole bundle inside the request: only so many run at once on this server
        // (Ferry:DonationLinkFinishesAtOnce); the next is told to send the finish again, its upload kept.
        if (!_finishing.Wait(0, CancellationToken.None))
        {
            return (null, new LinkRefusal(StatusCodes.Status503ServiceUnavailable, $"the server is checking {options.DonationLinkFinishesAtOnce} other donation(s); send the finish again in a minute (the upload is kept)"));
        }

        try
        {
            return await FinishOneAsync(db, link, upload, path, cancellationToken);
        }
        finally
        {
            _finishing.Release();
        }
    }

    private async Task<(Donation? Donation, LinkRefusal? Refusal)> FinishOneAsync(FerryDbContext db, DonationLink link, DonationLinkUpload upload, string path, CancellationToken cancellationToken)
    {
        // Erasures and donations keep apart on the data directory's lock (DonationLock): an erasure that holds it runs
        // first (this upload may be its donor's: its marker is checked below), one that comes later waits for this finish
        // and then erases what it wrote. Taken before the upload is claimed, so a finish that cannot start stays resumable.
        DonationLock held;
        try
        {
            held = await DonationLock.ShareAsync(StagingRoot, ErasureWait, cancellationToken);
        }
        catch (PrivacyException)
        {
            return (null, new LinkRefusal(StatusCodes.Status503ServiceUnavailable, "the study is erasing a donor's data; send the finish again in a few minutes (the upload is kept)"));
        }

        using var lockDisposal = held;

        // One finish per upload, and the link's count taken before any work: both are conditional updates.
        var claimed = await db.DonationLinkUploads.AcrossCompanies().Where(u => u.Id == upload.Id && u.Status == DonationLinkUploadStatus.Receiving)
            .ExecuteUpdateAsync(u => u.SetProperty(x => x.Status, DonationLinkUploadStatus.Processing), cancellationToken);
        if (claimed == 0)
        {
            return (null, new LinkRefusal(StatusCodes.Status409Conflict, "this upload is being finished by another request"));
        }

        var now = time.GetUtcNow();
        var reserved = await db.DonationLinks.AcrossCompanies().Where(l => l.Id == link.Id && l.Donations < l.MaxDonations && l.RevokedAt == null && l.ExpiresAt > now)
            .ExecuteUpdateAsync(l => l.SetProperty(x => x.Donations, x => x.Donations + 1), cancellationToken);
        if (reserved == 0)
        {
            DeleteFile(path);
            await EndAsync(db, upload, DonationLinkUploadStatus.Failed);
            return (null, new LinkRefusal(StatusCodes.Status409Conflict, $"this donation link has taken the {link.MaxDonations:N0} donation(s) it allows, or was revoked or expired meanwhile; nothing was kept"));
        }

        var staging = DonationStaging.Create(StagingRoot);
        Donation? donation = null;
        string? bundleKey = null;
        try
        {
            if (upload.Sha256 is { } expected && await ContentHashes.Sha256FileAsync(path, cancellationToken) != expected)
            {
                return await RefuseAsync(new LinkRefusal(StatusCodes.Status422UnprocessableEntity, "the upload's SHA-256 is not the one declared; the bundle was damaged on the way, send it again"));
            }

            if (study.Destination(link.CompanyId) is not { } destination)
            {
                return await RefuseAsync(new LinkRefusal(StatusCodes.Status409Conflict, "donations are not configured on this server (Ferry:DonationDestination); nothing was kept"));
            }

            var keyed = study.For(link.CompanyId);
            RekeyedBundle bundle;
            try
            {
                bundle = await DigestRekeyer.RekeyAsync(new RekeyRequest
                {
                    BundlePath = path, Keyed = keyed, RulesHash = study.Rules.Hash(), Policy = study.Policy, Limits = options.ToDonationLimits(), Staging = staging.Folder, Time = time,
                    OnRekeyedPart = async (part, donor, ct) =>
                    {
                        if (donation is null && await ErasedWhileOpenAsync(db, upload, keyed, donor, ct))
                        {
                            throw new DonorErasedException();
                        }

                        donation ??= await StartDonationAsync(db, link, donor, ct);
                        await StoreRecordsAsync(db, donation, part, ct);
                    },
                }, cancellationToken);
            }
            catch (DonationLimitException ex)
            {
                return await RefuseAsync(new LinkRefusal(StatusCodes.Status413PayloadTooLarge, ex.Message));
            }
            catch (PrivacyException ex)
            {
                return await RefuseAsync(new LinkRefusal(StatusCodes.Status422UnprocessableEntity, ex.Message));
            }
            catch (DonorErasedException)
            {
                return await RefuseAsync(Erased);
            }

            File.Delete(path); // the digest form is gone; only the keyed bundle is left, in staging
            if (await WithdrawnAsync(db, link.CompanyId, bundle.Donor, cancellationToken))
            {
                return await RefuseAsync(new LinkRefusal(StatusCodes.Status409Conflict, "you withdrew your consent to this study's donations; nothing was kept. Renew it with the study before donating again"));
            }

            var prefix = destination.Prefix + "donations/" + bundle.Donor + "/";
            bundleKey = prefix + bundle.Name;
            var summary = await new UploadEngine(null, time).RunAsync(new UploadRequest(Path.GetDirectoryName(bundle.Path)!, destination.Store, prefix),
                new UploadOptions(), new TransferProgress(), null, cancellationToken);
            if (summary.Outcome != TransferOutcome.Completed)
            {
                var reason = summary.Failures.Count > 0 ? summary.Failures[0].Reason : summary.Message;
                logger.LogWarning("Donation link {LinkId}: the bundle was not verified in storage: {Reason}", link.Id, reason);
                return await RefuseAsync(new LinkRefusal(StatusCodes.Status502BadGateway, "the study's storage did not take the bundle; nothing was kept, try again later"));
            }

            var finishedAt = time.GetUtcNow();
            var location = destination.Store.Description + "/" + bundleKey;
            var message = $"donated through link {link.Id} ({link.Label})";
            var (files, records, malformed, bytes) = (bundle.Manifest.Files.Count, bundle.Manifest.Records, bundle.Manifest.Malformed, upload.Length);
            db.ChangeTracker.Clear();
            // Only while the donation's row is still there: an erasure that deleted it (another server process, or a path
            // this data directory's lock does not order) means what this finish wrote goes too.
            var completed = await db.Donations.AcrossCompanies().Where(d => d.Id == donation!.Id && d.Status == DonationStatus.Running).ExecuteUpdateAsync(u => u
                .SetProperty(d => d.Status, DonationStatus.Completed).SetProperty(d => d.Files, files).SetProperty(d => d.Records, records)
                .SetProperty(d => d.Malformed, malformed).SetProperty(d => d.Bytes, bytes).SetProperty(d => d.Location, location)
                .SetProperty(d => d.Message, message).SetProperty(d => d.FinishedAt, finishedAt), CancellationToken.None);
            if (completed == 0)
            {
                return await RefuseAsync(Erased);
            }

            (donation!.Status, donation.Files, donation.Records, donation.Malformed, donation.Bytes, donation.Location, donation.Message, donation.FinishedAt) =
                (DonationStatus.Completed, files, records, malformed, bytes, location, message, finishedAt);
            db.Consents.Add(new ConsentEntry
            {
                CompanyId = link.CompanyId, Donor = bundle.Donor, Decision = ConsentRecord.Granted, At = time.GetUtcNow(), PolicyVersion = study.Policy.Version,
                PolicyHash = study.Policy.Hash, Scope = $"*.jsonl.gz files donated through donation link {link.Id}",
            });
            await db.SaveChangesAsync(CancellationToken.None);
            await EndAsync(db, upload, DonationLinkUploadStatus.Done);
            logger.LogInformation("Donation link {LinkId}: donation {Id} completed, {Records} record(s)", link.Id, donation.Id, donation.Records);
            return (donation, null);
        }
        catch (Exception) when (!cancellationToken.IsCancellationRequested)
        {
            await RefuseAsync(null);
            throw;
        }
        catch (OperationCanceledException)
        {
            await RefuseAsync(null);
            throw;
        }
        finally
        {
            DeleteFile(path);
            staging.Dispose();
        }

        async Task<(Donation?, LinkRefusal?)> RefuseAsync(LinkRefusal? refusal)
        {
            if (upload.Status == DonationLinkUploadStatus.Done)
            {
                return (donation, null);
            }

            if (donation is not null)
            {
                await db.DonatedRecords.AcrossCompanies().Where(r => r.DonationId == donation.Id).ExecuteDeleteAsync(CancellationToken.None);
                await db.Donations.AcrossCompanies().Where(d => d.Id == donation.Id).ExecuteDeleteAsync(CancellationToken.None);
                donation = null;
            }

            if (bundleKey is not null && study.Destination(link.CompanyId) is { } target)
            {
                await VersionPurge.RemoveKeyAsync(target.Store, bundleKey, CancellationToken.None); // with every version, on a versioned bucket
            }

            await db.DonationLinks.AcrossCompanies().Where(l => l.Id == link.Id && l.Donations > 0)
                .ExecuteUpdateAsync(l => l.SetProperty(x => x.Donations, x => x.Donations - 1), CancellationToken.None);
            await EndAsync(db, upload, DonationLinkUploadStatus.Failed);
            return (null, refusal);
        }
    }

    /// <summary>How long a finish waits for an erasure that holds the data directory's donation lock.</summary>
    public static readonly TimeSpan ErasureWait = TimeSpan.FromMinutes(2);

    private static readonly LinkRefusal Erased = new(StatusCodes.Status409Conflict,
        "your data was erased from this study while this donation was being sent; nothing was kept. Donate again if you wish to take part");

    /// <summary>Where finishes build their keyed bundles (<see cref="DonationStaging"/> folders) and hold the data directory's <see cref="DonationLock"/>.</summary>
    public string StagingRoot => Path.Combine(options.ResolvedDataDirectory, "donations", "staging");

    /// <summary>
    /// The marker an erasure of <paramref name="pseudonym"/> leaves on the open uploads of its company: keyed with the
    /// company's key, so a database reader without <c>storage.key</c> cannot test it against a pseudonym, and shaped
    /// unlike a pseudonym (<c>e_…</c>).
    /// </summary>
    public static string ErasureMarker(Pseudonymizer keyed, string pseudonym) => "e_" + keyed.Pseudonym("ferry-erased-during-upload\0" + pseudonym)[2..];

    /// <summary>
    /// Marks every open upload (receiving or being finished) of <paramref name="companyId"/> with the erasure of
    /// <paramref name="pseudonym"/>: the server learns an upload's donor only when it finishes, and a marked upload of
    /// that donor is refused then. Returns how many uploads were open.
    /// </summary>
    public async Task<int> MarkErasureAsync(FerryDbContext db, long companyId, string pseudonym, CancellationToken cancellationToken)
    {
        var marker = ErasureMarker(study.For(companyId), pseudonym) + " ";
        return await db.DonationLinkUploads.Where(u => u.CompanyId == companyId && (u.Status == DonationLinkUploadStatus.Receiving || u.Status == DonationLinkUploadStatus.Processing))
            .ExecuteUpdateAsync(u => u.SetProperty(x => x.ErasedDonors, x => (x.ErasedDonors ?? "") + marker), cancellationToken);
    }

    private static async Task<bool> ErasedWhileOpenAsync(FerryDbContext db, DonationLinkUpload upload, Pseudonymizer keyed, string donor, CancellationToken cancellationToken)
    {
        var marker = ErasureMarker(keyed, donor);
        var marks = await db.DonationLinkUploads.AcrossCompanies().AsNoTracking().Where(u => u.Id == upload.Id).Select(u => u.ErasedDonors).FirstOrDefaultAsync(cancellationToken);
        return marks is not null && marks.Split(' ', StringSplitOptions.RemoveEmptyEntries).Contains(marker, StringComparer.Ordinal);
    }

    private static void DeleteFile(string path)
    {
        if (File.Exists(path))
        {
            File.Delete(path);
        }
    }

    /// <summary>Thrown inside the re-keying when the upload's donor was erased while it was open.</summary>
    private sealed class DonorErasedException : Exception;

    /// <summary>How long an upload may sit without a new chunk before start-up treats it as abandoned and deletes it.</summary>
    public static readonly TimeSpan AbandonedAfter = TimeSpan.FromHours(24);

    /// <summary>
    /// Start-up clean-up after a crash, a kill or a power cut (run by <see cref="DonationService.RecoverAsync"/>, outside
    /// any request, over every company): uploads that were being finished are failed and their reservation on the link
    /// given back (their donation row, records and any bundle they uploaded are removed with the other interrupted
    /// donations); uploads still receiving stay resumable unless their link is closed or no chunk came for
    /// <see cref="AbandonedAfter"/>; and every file in <see cref="Folder"/> that is not a resumable upload — a finished,
    /// failed or abandoned upload's digest form, a stray file — is deleted. The keyed staging a finish left is removed
    /// with the other abandoned staging folders. Returns how many uploads were failed and files deleted.
    /// </summary>
    public async Task<(int Uploads, int Files)> RecoverAsync(FerryDbContext db, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var open = await db.DonationLinkUploads.Where(u => u.Status == DonationLinkUploadStatus.Receiving || u.Status == DonationLinkUploadStatus.Processing).ToListAsync(cancellationToken);
        var linkIds = open.Select(u => u.LinkId).Distinct().ToList();
        var links = await db.DonationLinks.AsNoTracking().Where(l => linkIds.Contains(l.Id)).ToDictionaryAsync(l => l.Id, cancellationToken);
        var resumable = new HashSet<string>(StringComparer.Ordinal);
        var failed = 0;
        foreach (var upload in open)
        {
            var path = UploadPath(upload.Id);
            var lastChunk = File.Exists(path) ? new DateTimeOffset(File.GetLastWriteTimeUtc(path), TimeSpan.Zero) : upload.CreatedAt;
            var link = links.GetValueOrDefault(upload.LinkId);
            if (upload.Status == DonationLinkUploadStatus.Receiving && link is { RevokedAt: null } && link.ExpiresAt > now && now - lastChunk < AbandonedAfter)
            {
                resumable.Add(upload.Id + ".zip");
                continue;
            }

            if (upload.Status == DonationLinkUploadStatus.Processing)
            {
                await db.DonationLinks.Where(l => l.Id == upload.LinkId && l.Donations > 0).ExecuteUpdateAsync(l => l.SetProperty(x => x.Donations, x => x.Donations - 1), cancellationToken);
            }

            await EndAsync(db, upload, DonationLinkUploadStatus.Failed);
            failed++;
        }

        var files = 0;
        if (Directory.Exists(Folder))
        {
            foreach (var file in Directory.EnumerateFileSystemEntries(Folder).Where(f => !resumable.Contains(Path.GetFileName(f))).ToList())
            {
                if (Directory.Exists(file))
                {
                    Directory.Delete(file, recursive: true);
                }
                else
                {
                    File.Delete(file);
                }

                files++;
            }
        }

        if (failed + files > 0)
        {
            logger.LogInformation("Start-up clean-up of donation links: {Uploads} interrupted or abandoned upload(s) failed, {Files} file(s) deleted, {Resumable} upload(s) kept to resume", failed, files, resumable.Count);
        }

        return (failed, files);
    }

    /// <summary>
    /// The periodic twin of <see cref="RecoverAsync"/> (run by the retention schedule, over every company): an upload
    /// still receiving whose link was revoked or expired, or that got no chunk for <see cref="AbandonedAfter"/>, is
    /// failed and its file — the bundle in digest form — deleted, so a donor who walks away leaves nothing on disk for
    /// longer than a day. Uploads being finished are left to their finish. Returns how many uploads were swept.
    /// </summary>
    public async Task<int> SweepAbandonedAsync(FerryDbContext db, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var receiving = await db.DonationLinkUploads.Where(u => u.Status == DonationLinkUploadStatus.Receiving).ToListAsync(cancellationToken);
        var linkIds = receiving.Select(u => u.LinkId).Distinct().ToList();
        var links = await db.DonationLinks.AsNoTracking().Where(l => linkIds.Contains(l.Id)).ToDictionaryAsync(l => l.Id, cancellationToken);
        var swept = 0;
        foreach (var upload in receiving)
        {
            var path = UploadPath(upload.Id);
            var lastChunk = File.Exists(path) ? new DateTimeOffset(File.GetLastWriteTimeUtc(path), TimeSpan.Zero) : upload.CreatedAt;
            if (links.GetValueOrDefault(upload.LinkId) is { RevokedAt: null } link && link.ExpiresAt > now && now - lastChunk < AbandonedAfter)
            {
                continue;
            }

            await EndAsync(db, upload, DonationLinkUploadStatus.Failed);
            File.Delete(path);
            swept++;
        }

        return swept;
    }

    /// <summary>The donation row, running, made when the first part is re-keyed (the records need its id).</summary>
    private async Task<Donation> StartDonationAsync(FerryDbContext db, DonationLink link, string donor, CancellationToken cancellationToken)
    {
        var donation = new Donation { CompanyId = link.CompanyId, Donor = donor, Status = DonationStatus.Running, CreatedAt = time.GetUtcNow() };
        db.Donations.Add(donation);
        await db.SaveChangesAsync(cancellationToken);
        return donation;
    }

    private static async Task EndAsync(FerryDbContext db, DonationLinkUpload upload, DonationLinkUploadStatus status)
    {
        upload.Status = status;
        await db.DonationLinkUploads.AcrossCompanies().Where(u => u.Id == upload.Id)
            .ExecuteUpdateAsync(u => u.SetProperty(x => x.Status, status).SetProperty(x => x.ErasedDonors, (string?)null), CancellationToken.None);
    }

    /// <summary>A withdrawal that still holds for the donor in the link's company (the rule of <see cref="DonationService.WithdrawalAsync"/>, read without a signed-in caller).</summary>
    private static async Task<bool> WithdrawnAsync(FerryDbContext db, long companyId, string donor, CancellationToken cancellationToken)
    {
        var latest = await db.Consents.AcrossCompanies().AsNoTracking()
            .Where(c => c.CompanyId == companyId && c.Donor == donor && (c.Decision == ConsentRecord.Withdrawn || c.Decision == ConsentRecord.Renewed))
            .OrderByDescending(c => c.Id).Select(c => c.Decision).FirstOrDefaultAsync(cancellationToken);
        return latest == ConsentRecord.Withdrawn;
    }

    /// <summary>Inserts a re-keyed part's records in batches.</summary>
    private Task StoreRecordsAsync(FerryDbContext db, Donation donation, string part, CancellationToken cancellationToken) =>
        DonatedRecordsImport.InsertAsync(db, donation, part, time.GetUtcNow(), cancellationToken);
}

/// <summary>Why a donation-link call was refused: the HTTP status and one sentence for the donor.</summary>
internal sealed record LinkRefusal(int Status, string Message);
