using System.IO.Compression;
using System.Text.Json;
using Ferry.Core.Storage;
using Ferry.Core.Transfer;

namespace Ferry.Core.Privacy;

/// <summary>
/// Donating training logs in one call: finds the files, requires consent to the current policy, pseudonymizes every
/// record on this machine, bundles the result (one zip per donation: pseudonymized files under neutral names, a
/// manifest with checksums and counts, the consent record), uploads it with the verified engine to
/// <c>PREFIX/donations/PSEUDONYM/YYYYMMDD_HHMMSS_RANDOM.zip</c>, records consent and donation in the ledger, and only then
/// moves the originals to the archive folder. Any failure leaves the originals where they were and says why.
/// </summary>
public static class DataDonation
{
    public static async Task<DonationResult> DonateAsync(DonationRequest request, CancellationToken cancellationToken)
    {
        var pseudonym = request.DonorPseudonym
            ?? request.Pseudonymizer.Pseudonym(request.DonorId ?? throw new ArgumentException("give DonorId or DonorPseudonym", nameof(request)));
        if (request.Ledger?.Withdrawal(pseudonym) is { } withdrawal)
        {
            return DonationResult.Failed(WithdrawnMessage(pseudonym, withdrawal), pseudonym);
        }

        var folder = Path.GetFullPath(request.Folder);
        if (!Directory.Exists(folder))
        {
            return DonationResult.Failed($"the folder {folder} does not exist; give the folder that holds your {request.Pattern} files", pseudonym);
        }

        var archive = Path.GetFullPath(request.ArchiveFolder ?? Path.Combine(folder, "archive"));
        IReadOnlyList<string> files;
        try
        {
            files = FindFiles(folder, request.Pattern, archive);
        }
        catch (UnauthorizedAccessException)
        {
            return DonationResult.Failed($"the folder {folder} is not readable; check its permissions", pseudonym);
        }

        if (files.Count == 0)
        {
            return DonationResult.Failed($"no files matching {request.Pattern} in {folder}; nothing to donate", pseudonym);
        }

        if (request.ConsentedVersion is not { } consented)
        {
            return DonationResult.Failed($"no consent given; read the policy (version {request.Policy.Version}) and agree to it first", pseudonym);
        }

        if (consented != request.Policy.Version)
        {
            return DonationResult.Failed($"the consent is for policy version {consented}, the current policy is version {request.Policy.Version}; read it and agree again", pseudonym);
        }

        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(30));
            await request.Store.CheckAccessAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (StoreException ex)
        {
            return DonationResult.Failed($"the study's storage cannot be used: {ex.Message}", pseudonym);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return DonationResult.Failed($"{request.Store.Description} did not answer within 30 seconds; check the endpoint and the network", pseudonym);
        }

        var stagingRoot = request.StagingFolder ?? DefaultStagingFolder;
        DonationLock held;
        try
        {
            // Staging left by a crashed donation goes first; the lock makes an erasure wait until this donation is done.
            DonationStaging.CleanAbandoned(stagingRoot);
            held = await DonationLock.ShareAsync(stagingRoot, TimeSpan.FromMinutes(2), cancellationToken).ConfigureAwait(false);
        }
        catch (PrivacyException ex)
        {
            return DonationResult.Failed(ex.Message, pseudonym);
        }

        using var hold = held;
        var now = request.Time.GetUtcNow();
        using var stagingFolder = DonationStaging.Create(stagingRoot);
        var staging = stagingFolder.Folder;
        try
        {
            Directory.CreateDirectory(Path.Combine(staging, "parts"));
            Directory.CreateDirectory(Path.Combine(staging, "upload"));
            var consent = new ConsentRecord(pseudonym, ConsentRecord.Granted, now, request.Policy.Version, request.Policy.Hash, $"{request.Pattern} files donated with Ferry", request.Pseudonymizer.Rules.Study);
            var (manifest, bytes) = await PseudonymizeAsync(request, files, pseudonym, staging, now, cancellationToken).ConfigureAwait(false);
            // Time first (listings sort by it), then a random part: two donations in one second never share a name.
            var bundleName = Timestamps.FileName(now) + "_" + Guid.NewGuid().ToString("N")[..8] + ".zip";
            await WriteBundleAsync(Path.Combine(staging, "upload", bundleName), Path.Combine(staging, "parts"), manifest, consent, cancellationToken).ConfigureAwait(false);

            var prefix = request.Prefix + "donations/" + pseudonym + "/";
            var summary = await new UploadEngine(request.Journal, request.Time).RunAsync(new UploadRequest(Path.Combine(staging, "upload"), request.Store, prefix),
                new UploadOptions(), new TransferProgress(), null, cancellationToken).ConfigureAwait(false);
            if (summary.Outcome != TransferOutcome.Completed)
            {
                var reason = summary.Failures.Count > 0 ? summary.Failures[0].Reason : summary.Message;
                return DonationResult.Failed($"the upload was not verified ({reason}); your files were left where they were", pseudonym, uploadFailed: true);
            }

            var location = request.Store.Description + "/" + prefix + bundleName;
            var moves = files.Select(f => (From: f, To: ArchivePath(archive, Path.GetRelativePath(folder, f)))).ToList();
            request.Ledger?.Append(new LedgerEntry { Type = LedgerEntry.ConsentType, At = now, Donor = pseudonym, Consent = consent });
            request.Ledger?.Append(new LedgerEntry { Type = LedgerEntry.DonationType, At = now, Donor = pseudonym, Location = location, Archived = moves.Select(m => m.To).ToList(), Records = manifest.Records });
            foreach (var (from, to) in moves)
            {
                Directory.CreateDirectory(Path.GetDirectoryName(to)!);
                File.Move(from, to);
            }

            var scrubbed = manifest.Scrubbed.Values.Sum();
            var malformed = (manifest.Malformed > 0 ? $"; {manifest.Malformed:N0} malformed line(s) were left out" : "")
                + (scrubbed > 0 ? $"; {scrubbed:N0} piece(s) of personal data or secrets were replaced in free text" : "");
            return new DonationResult(true,
                $"Donated {files.Count} file(s), {manifest.Records:N0} record(s){malformed}, to {location}{(request.TellsWhereOriginalsWent ? $"; originals moved to {archive}" : "")}. Your donor pseudonym: {pseudonym} (keep it to withdraw or ask for erasure)",
                pseudonym, files.Count, manifest.Records, manifest.Malformed, bytes, location, moves.Select(m => m.To).ToList());
        }
        catch (PrivacyException ex)
        {
            return DonationResult.Failed(ex.Message, pseudonym);
        }
        catch (IOException ex)
        {
            return DonationResult.Failed($"a file could not be processed: {ex.Message}; your files were left where they were", pseudonym);
        }
    }

    /// <summary>Where donations build their bundles unless <see cref="DonationRequest.StagingFolder"/> says otherwise.</summary>
    public static string DefaultStagingFolder => Path.Combine(FerryPaths.DataDirectory, "donations", "staging");

    /// <summary>The one line that refuses a donation under a withdrawn consent.</summary>
    public static string WithdrawnMessage(string pseudonym, ConsentRecord withdrawal) =>
        $"{pseudonym} withdrew consent on {Timestamps.ForPeople(withdrawal.At)}; nothing was sent. To donate again, renew consent at a terminal with 'ferry donors consent {pseudonym}'";

    /// <summary>The files to donate: regular files whose name matches <paramref name="pattern"/>, under <paramref name="folder"/> but not under <paramref name="archive"/>, in path order.</summary>
    public static IReadOnlyList<string> FindFiles(string folder, string pattern, string archive)
    {
        var filter = new PathFilter([pattern], []);
        return Directory.EnumerateFiles(folder, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = FileAttributes.ReparsePoint | FileAttributes.Hidden })
            .Where(f => !f.StartsWith(archive + Path.DirectorySeparatorChar, StringComparison.Ordinal) && filter.Matches(Path.GetFileName(f)))
            .Order(StringComparer.Ordinal).ToList();
    }

    private static async Task<(DonationManifest Manifest, long Bytes)> PseudonymizeAsync(DonationRequest request, IReadOnlyList<string> files, string pseudonym, string staging, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var processor = new JsonLinesPseudonymizer(request.Pseudonymizer);
        var budget = request.Limits is { } limits ? new DonationBudget(limits) : null;
        var parts = new List<DonationManifestFile>();
        long bytes = 0;
        for (var i = 0; i < files.Count; i++)
        {
            var name = $"part-{i + 1:D4}.jsonl.gz";
            var output = Path.Combine(staging, "parts", name);
            var counts = await processor.ProcessFileAsync(files[i], output, budget, cancellationToken).ConfigureAwait(false);
            if (request.OnPseudonymizedPart is { } onPart)
            {
                await onPart(output, cancellationToken).ConfigureAwait(false);
            }

            var size = new FileInfo(output).Length;
            bytes += new FileInfo(files[i]).Length;
            parts.Add(new DonationManifestFile(name, counts.Records, counts.Malformed, size, await Hashing.ContentHashes.Sha256FileAsync(output, cancellationToken).ConfigureAwait(false)));
        }

        var manifest = new DonationManifest("ferry-donation/1", request.Pseudonymizer.Rules.Study, pseudonym, now, request.Policy.Version, request.Policy.Hash,
            request.Pseudonymizer.Rules.Hash(), parts, parts.Sum(p => p.Records), parts.Sum(p => p.Malformed), processor.Scrubbed.ToDictionary());
        return (manifest, bytes);
    }

    internal static async Task WriteBundleAsync(string path, string parts, DonationManifest manifest, ConsentRecord consent, CancellationToken cancellationToken)
    {
        var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous);
        var fileDisposal = file;
        await using var fileDisposalDisposal = fileDisposal.ConfigureAwait(false);
        var zip = new ZipArchive(file, ZipArchiveMode.Create, leaveOpen: true);
        await using (zip.ConfigureAwait(false))
        {
            foreach (var part in manifest.Files)
            {
                var entry = zip.CreateEntry(part.Name, CompressionLevel.NoCompression);
                var input = File.OpenRead(Path.Combine(parts, part.Name));
                var inputDisposal = input;
                await using var inputDisposalDisposal = inputDisposal.ConfigureAwait(false);
                var output = await entry.OpenAsync(cancellationToken).ConfigureAwait(false);
                var outputDisposal = output;
                await using var outputDisposalDisposal = outputDisposal.ConfigureAwait(false);
                await input.CopyToAsync(output, cancellationToken).ConfigureAwait(false);
            }

            await WriteJsonAsync(zip, "manifest.json", JsonSerializer.SerializeToUtf8Bytes(manifest, PrivacyJson.Default.DonationManifest), cancellationToken).ConfigureAwait(false);
            await WriteJsonAsync(zip, "consent.json", JsonSerializer.SerializeToUtf8Bytes(consent, PrivacyJson.Default.ConsentRecord), cancellationToken).ConfigureAwait(false);
        }

        file.Flush(flushToDisk: true);
    }

    private static async Task WriteJsonAsync(ZipArchive zip, string name, byte[] content, CancellationToken cancellationToken)
    {
        var output = await zip.CreateEntry(name, CompressionLevel.Optimal).OpenAsync(cancellationToken).ConfigureAwait(false);
        var outputDisposal = output;
        await using var outputDisposalDisposal = outputDisposal.ConfigureAwait(false);
        await output.WriteAsync(content, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The archive path for a file; a name already taken there gets <c>.1</c>, <c>.2</c>… before the extension.</summary>
    internal static string ArchivePath(string archive, string relative)
    {
        var target = Path.Combine(archive, relative);
        for (var n = 1; File.Exists(target); n++)
        {
            target = Path.Combine(archive, Path.GetDirectoryName(relative) ?? "", $"{Path.GetFileNameWithoutExtension(relative)}.{n}{Path.GetExtension(relative)}");
        }

        return target;
    }
}
