namespace Ferry.Core.Privacy;

/// <summary>
/// The <c>manifest.json</c> of a donation bundle: what it holds and how it was made. <see cref="Scrubbed"/>: the free-text
/// scrubber's hits per detector over the whole donation (every detector listed, zeros included).
/// </summary>
public sealed record DonationManifest(
    string Format,
    string Study,
    string Donor,
    DateTimeOffset CreatedAt,
    string PolicyVersion,
    string PolicyHash,
    string RulesHash,
    IReadOnlyList<DonationManifestFile> Files,
    long Records,
    long Malformed,
    IReadOnlyDictionary<string, long> Scrubbed);

/// <summary>One pseudonymized file of a bundle, under a neutral name (the original name is not sent).</summary>
public sealed record DonationManifestFile(string Name, long Records, long Malformed, long Bytes, string Sha256);
