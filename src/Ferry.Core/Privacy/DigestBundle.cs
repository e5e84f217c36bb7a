using Ferry.Core.Hashing;

namespace Ferry.Core.Privacy;

/// <summary>
/// A donor's bundle for a donation link, made on the donor's machine: the same zip as <see cref="DataDonation"/> makes
/// (parts under neutral names, <c>manifest.json</c>, <c>consent.json</c>), but pseudonymized with the study's public salt
/// (<see cref="Pseudonymizer.WithSaltedDigests"/>) instead of its key: every identifier the rules name and every one
/// the free-text scrubber finds is a salted digest (<c>d_…</c>), and the manifest's format is <see cref="Format"/>.
/// The server re-keys it (<see cref="DigestRekeyer"/>) before anything is stored.
/// </summary>
public static class DigestBundle
{
    public const string Format = "ferry-donation-digests/1";

    /// <summary>
    /// Pseudonymizes and scrubs <paramref name="files"/> into <c>STAGING/bundle.zip</c> (the folder is created, and left to
    /// the caller to delete). Throws <see cref="PrivacyException"/> when a file is not gzip.
    /// </summary>
    public static async Task<DigestBundleResult> CreateAsync(IReadOnlyList<string> files, Pseudonymizer digests, ConsentPolicy policy, string donorDigest,
        string staging, TimeProvider time, CancellationToken cancellationToken)
    {
        if (!digests.WritesDigests || !SaltedDigest.IsDigest(donorDigest))
        {
            throw new ArgumentException("a digest bundle needs a salted-digest pseudonymizer and a donor digest");
        }

        var now = time.GetUtcNow();
        var parts = Path.Combine(staging, "parts");
        Directory.CreateDirectory(parts);
        var processor = new JsonLinesPseudonymizer(digests);
        var entries = new List<DonationManifestFile>();
        long bytes = 0;
        for (var i = 0; i < files.Count; i++)
        {
            var name = $"part-{i + 1:D4}.jsonl.gz";
            var output = Path.Combine(parts, name);
            var counts = await processor.ProcessFileAsync(files[i], output, cancellationToken).ConfigureAwait(false);
            bytes += new FileInfo(files[i]).Length;
            entries.Add(new DonationManifestFile(name, counts.Records, counts.Malformed, new FileInfo(output).Length, await ContentHashes.Sha256FileAsync(output, cancellationToken).ConfigureAwait(false)));
        }

        var manifest = new DonationManifest(Format, digests.Rules.Study, donorDigest, now, policy.Version, policy.Hash, digests.Rules.Hash(), entries,
            entries.Sum(p => p.Records), entries.Sum(p => p.Malformed), processor.Scrubbed.ToDictionary());
        var consent = new ConsentRecord(donorDigest, ConsentRecord.Granted, now, policy.Version, policy.Hash, "*.jsonl.gz files donated through a donation link", digests.Rules.Study);
        var path = Path.Combine(staging, "bundle.zip");
        await DataDonation.WriteBundleAsync(path, parts, manifest, consent, cancellationToken).ConfigureAwait(false);
        Directory.Delete(parts, recursive: true);
        return new DigestBundleResult(path, manifest, await ContentHashes.Sha256FileAsync(path, cancellationToken).ConfigureAwait(false), new FileInfo(path).Length, bytes);
    }

    /// <summary>Moves <paramref name="files"/> (under <paramref name="folder"/>) to <paramref name="archive"/>, keeping their relative paths; returns where each went.</summary>
    public static IReadOnlyList<string> Archive(string folder, IReadOnlyList<string> files, string archive)
    {
        var moved = new List<string>(files.Count);
        foreach (var file in files)
        {
            var target = DataDonation.ArchivePath(archive, Path.GetRelativePath(folder, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Move(file, target);
            moved.Add(target);
        }

        return moved;
    }

    /// <summary>A bundle name as the server gives it: time first (listings sort by it), then a random part.</summary>
    public static string BundleName(DateTimeOffset now) =>
        Timestamps.FileName(now) + "_" + Guid.NewGuid().ToString("N")[..8] + ".zip";
}

/// <summary>A digest bundle on disk: its path, manifest, SHA-256 (hex) and size, and the size of the original files.</summary>
public sealed record DigestBundleResult(string Path, DonationManifest Manifest, string Sha256, long Length, long OriginalBytes);
