using System.IO.Compression;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Ferry.Core.Hashing;

namespace Ferry.Core.Privacy;

/// <summary>
/// The server's side of a donation link: checks a donor's <see cref="DigestBundle"/> (entries, manifest, part sizes and
/// SHA-256, rules hash, policy, consent, caps on what it holds once decompressed) and writes it again with every salted
/// digest (<c>d_…</c>) replaced by the study's keyed pseudonym — <c>p_</c> + HMAC(key, study ∥ 0 ∥ digest) — so the
/// bundle that reaches the bucket holds no digest. Nothing of the digest form is kept: the parts are inflated and
/// re-keyed one line at a time into <c>STAGING</c>, which the caller deletes with the upload.
/// </summary>
public static class DigestRekeyer
{
    /// <summary>The largest <c>manifest.json</c> or <c>consent.json</c> read, in bytes.</summary>
    public const int MaximumJsonBytes = 1 << 20;

    /// <summary>The most entries a bundle can have: parts <c>part-0000</c> to <c>part-9999</c>, manifest.json and consent.json.</summary>
    public const int MaximumEntries = 10_002;

    /// <summary>
    /// Re-keys <paramref name="request"/>'s bundle into <c>STAGING/upload/NAME.zip</c>. Throws <see cref="PrivacyException"/>
    /// (one sentence) when the bundle is not a well-formed digest bundle for this study, policy and rules, and
    /// <see cref="DonationLimitException"/> past a cap.
    /// </summary>
    public static async Task<RekeyedBundle> RekeyAsync(RekeyRequest request, CancellationToken cancellationToken)
    {
        var keyed = request.Keyed;
        if (keyed.WritesDigests)
        {
            throw new ArgumentException("re-keying needs the study's keyed pseudonymizer", nameof(request));
        }

        var parts = Path.Combine(request.Staging, "parts");
        var upload = Path.Combine(request.Staging, "upload");
        Directory.CreateDirectory(parts);
        Directory.CreateDirectory(upload);
        // Before the zip is opened (it reads every entry of its central directory into memory): a bundle states how
        // many entries it has in its last bytes, and a made-up one with millions of tiny entries is refused here.
        var entries = ZipEntryCount.Read(request.BundlePath);
        Check(entries is > 0 and <= MaximumEntries, $"the bundle is not a zip of at most {MaximumEntries:N0} entries; send the bundle 'ferry donate --link' makes");
        ZipArchive zip;
        try
        {
            zip = new ZipArchive(File.OpenRead(request.BundlePath), ZipArchiveMode.Read);
        }
        catch (InvalidDataException)
        {
            throw new PrivacyException("the upload is not a zip file; send the bundle 'ferry donate --link' makes");
        }

        using (zip)
        {
            var manifest = ReadJson(zip, "manifest.json", PrivacyJson.Default.DonationManifest);
            var consent = ReadJson(zip, "consent.json", PrivacyJson.Default.ConsentRecord);
            Check(manifest.Format == DigestBundle.Format, $"the bundle's format is '{manifest.Format}', not '{DigestBundle.Format}'; make it with 'ferry donate --link'");
            Check(manifest.Study == keyed.Rules.Study, $"the bundle is for the study '{manifest.Study}', this link is for '{keyed.Rules.Study}'");
            Check(manifest.RulesHash == request.RulesHash, "the bundle was not made with this study's rules (the rules hash differs); make it again with 'ferry donate --link'");
            Check(manifest.PolicyVersion == request.Policy.Version && manifest.PolicyHash == request.Policy.Hash,
                $"the bundle's consent is for policy version {manifest.PolicyVersion}, the link's policy is version {request.Policy.Version}; read it and agree again");
            Check(SaltedDigest.IsDigest(manifest.Donor), "the bundle's donor is not a salted digest");
            Check(consent.Decision == ConsentRecord.Granted && consent.DonorPseudonym == manifest.Donor && consent.PolicyVersion == manifest.PolicyVersion,
                "the bundle's consent.json does not grant consent for its donor and policy");
            Check(manifest.Files.Count > 0, "the bundle holds no records");
            var expected = manifest.Files.Select(f => f.Name).Concat(["manifest.json", "consent.json"]).ToHashSet(StringComparer.Ordinal);
            Check(manifest.Files.All(f => IsPartName(f.Name)) && expected.Count == manifest.Files.Count + 2 && zip.Entries.Count == expected.Count
                && zip.Entries.All(e => expected.Contains(e.FullName)), "the bundle's entries are not its manifest's parts, manifest.json and consent.json");

            // The parts are gzip files stored as they are: what they unpack to from the zip is about what was sent, and a
            // part that would unpack to far more (a deflate bomb) is refused before a byte of it is written to disk.
            var bundleBytes = new FileInfo(request.BundlePath).Length;
            if (manifest.Files.FirstOrDefault(f => f.Bytes < 0 || zip.GetEntry(f.Name)!.Length != f.Bytes) is { } unlike)
            {
                throw new PrivacyException($"{unlike.Name} does not match the size or SHA-256 in the manifest; the bundle was damaged, send it again");
            }

            Check(manifest.Files.Sum(f => f.Bytes) <= (2 * bundleBytes) + (1 << 20),
                "the bundle's parts are larger than the bundle itself holds; send the bundle 'ferry donate --link' makes");
            var donor = keyed.Pseudonym(manifest.Donor);
            var budget = new DonationBudget(request.Limits);
            var rekeyed = new List<DonationManifestFile>(manifest.Files.Count);
            foreach (var part in manifest.Files)
            {
                var received = Path.Combine(parts, "in-" + part.Name);
                {
                    var input = zip.GetEntry(part.Name)!.Open();
                    await using var inputDisposal = input.ConfigureAwait(false);
                    var output = File.Create(received);
                    await using var outputDisposal = output.ConfigureAwait(false);
                    await CopyAtMostAsync(input, output, part.Bytes, part.Name, cancellationToken).ConfigureAwait(false);
                }

                Check(new FileInfo(received).Length == part.Bytes && await ContentHashes.Sha256FileAsync(received, cancellationToken).ConfigureAwait(false) == part.Sha256,
                    $"{part.Name} does not match the size or SHA-256 in the manifest; the bundle was damaged, send it again");
                {
                    var scan = File.OpenRead(received);
                    await using var scanDisposal = scan.ConfigureAwait(false);
                    var unzip = new GZipStream(scan, CompressionMode.Decompress);
                    await using var unzipDisposal = unzip.ConfigureAwait(false);
                    await budget.ScanAsync(unzip, cancellationToken).ConfigureAwait(false);
                }

                var output2 = Path.Combine(parts, part.Name);
                var records = await RekeyPartAsync(received, output2, keyed, part.Name, cancellationToken).ConfigureAwait(false);
                File.Delete(received); // the digest form goes as soon as it is re-keyed
                Check(records == part.Records, $"{part.Name} holds {records:N0} record(s), its manifest says {part.Records:N0}");
                if (request.OnRekeyedPart is { } onPart)
                {
                    await onPart(output2, donor, cancellationToken).ConfigureAwait(false);
                }

                rekeyed.Add(part with { Bytes = new FileInfo(output2).Length, Sha256 = await ContentHashes.Sha256FileAsync(output2, cancellationToken).ConfigureAwait(false) });
            }

            var now = request.Time.GetUtcNow();
            var keyedManifest = manifest with { Format = "ferry-donation/1", Donor = donor, Files = rekeyed };
            var keyedConsent = consent with { DonorPseudonym = donor };
            var name = DigestBundle.BundleName(now);
            var path = Path.Combine(upload, name);
            await DataDonation.WriteBundleAsync(path, parts, keyedManifest, keyedConsent, cancellationToken).ConfigureAwait(false);
            Directory.Delete(parts, recursive: true);
            return new RekeyedBundle(path, name, keyedManifest, keyedConsent, donor);
        }
    }

    private static bool IsPartName(string name) =>
        name.Length == "part-0000.jsonl.gz".Length && name.StartsWith("part-", StringComparison.Ordinal) && name.EndsWith(".jsonl.gz", StringComparison.Ordinal) && name[5..9].All(char.IsAsciiDigit);

    private static void Check(bool condition, string message)
    {
        if (!condition)
        {
            throw new PrivacyException(message);
        }
    }

    private static T ReadJson<T>(ZipArchive zip, string name, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type)
    {
        var entry = zip.GetEntry(name) ?? throw new PrivacyException($"the bundle has no {name}; send the bundle 'ferry donate --link' makes");
        using var stream = entry.Open();
        using var copy = new MemoryStream();
        var buffer = new byte[1 << 16];
        int read;
        while ((read = stream.Read(buffer)) > 0)
        {
            copy.Write(buffer, 0, read);
            Check(copy.Length <= MaximumJsonBytes, $"{name} is larger than {MaximumJsonBytes:N0} bytes");
        }

        try
        {
            return JsonSerializer.Deserialize(copy.ToArray(), type) ?? throw new PrivacyException($"{name} is empty");
        }
        catch (JsonException ex)
        {
            throw new PrivacyException($"{name} cannot be read: {ex.Message}");
        }
    }

    private static async Task CopyAtMostAsync(Stream input, Stream output, long most, string name, CancellationToken cancellationToken)
    {
        var buffer = new byte[1 << 16];
        long total = 0;
        int read;
        while ((read = await input.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
        {
            total += read;
            Check(total <= most, $"{name} is larger than its manifest says");
            await output.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Re-keys one part line by line (its lines were checked against the caps already): each non-blank line must be a
    /// JSON object; every digest in it becomes the keyed pseudonym of that digest. Returns the records written.
    /// </summary>
    private static async Task<long> RekeyPartAsync(string input, string output, Pseudonymizer keyed, string name, CancellationToken cancellationToken)
    {
        long records = 0;
        var file = File.OpenRead(input);
        await using var fileDisposal = file.ConfigureAwait(false);
        var unzip = new GZipStream(file, CompressionMode.Decompress);
        await using var unzipDisposal = unzip.ConfigureAwait(false);
        using var reader = new StreamReader(unzip, new UTF8Encoding(false, throwOnInvalidBytes: true));
        var target = File.Create(output);
        await using var targetDisposal = target.ConfigureAwait(false);
        {
            var zip = new GZipStream(target, CompressionLevel.Fastest, leaveOpen: true);
            await using var zipDisposal = zip.ConfigureAwait(false);
            var writer = new StreamWriter(zip, new UTF8Encoding(false)) { NewLine = "\n" };
            await using var writerDisposal = writer.ConfigureAwait(false);
            try
            {
                while (await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
                {
                    if (string.IsNullOrWhiteSpace(line))
                    {
                        continue;
                    }

                    Check(IsObject(line), $"{name} line {records + 1:N0} is not a JSON object; the bundle was not made by 'ferry donate --link'");
                    await writer.WriteLineAsync(SaltedDigest.Anywhere().Replace(line, m => keyed.Pseudonym(m.Value))).ConfigureAwait(false);
                    records++;
                }
            }
            catch (DecoderFallbackException)
            {
                throw new PrivacyException($"{name} is not UTF-8 text");
            }
        }

        target.Flush(flushToDisk: true);
        return records;
    }

    private static bool IsObject(string line)
    {
        try
        {
            return JsonNode.Parse(line) is JsonObject;
        }
        catch (JsonException)
        {
            return false;
        }
    }
}

/// <summary>What <see cref="DigestRekeyer.RekeyAsync"/> needs: the uploaded bundle, the study's keyed pseudonymizer, the rules hash and policy the link served, the caps, a staging folder.</summary>
public sealed record RekeyRequest
{
    public required string BundlePath { get; init; }

    public required Pseudonymizer Keyed { get; init; }

    /// <summary>The hash of the rules the link served to donors (<see cref="PseudonymizationRules.Hash"/>).</summary>
    public required string RulesHash { get; init; }

    public required ConsentPolicy Policy { get; init; }

    public required DonationLimits Limits { get; init; }

    /// <summary>An empty folder of the caller's; the caller deletes it.</summary>
    public required string Staging { get; init; }

    /// <summary>Called with each re-keyed part (a <c>.jsonl.gz</c>) and the donor's keyed pseudonym before the bundle is written; the server stores the records.</summary>
    public Func<string, string, CancellationToken, Task>? OnRekeyedPart { get; init; }

    public TimeProvider Time { get; init; } = TimeProvider.System;
}

/// <summary>A re-keyed bundle ready for the bucket: its path and name, manifest and consent (keyed), and the donor's pseudonym.</summary>
public sealed record RekeyedBundle(string Path, string Name, DonationManifest Manifest, ConsentRecord Consent, string Donor);
