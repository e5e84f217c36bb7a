namespace Ferry.Core.Bundles;

/// <summary>
/// Everything Ferry knows of a bundle besides its files: what it holds, where it goes, and how delivery went.
/// Kept as <c>.ferry/bundle.json</c> inside the bundle's outbox folder (rewritten atomically), never uploaded;
/// the reports are rendered from it.
/// </summary>
public sealed record BundleDescriptor
{
    public const string CurrentFormat = "ferry-bundle/1";

    public string Format { get; init; } = CurrentFormat;

    /// <summary>A random id: tells this bundle from another that happens to have the same folder name.</summary>
    public required string BundleId { get; init; }

    /// <summary>The folder name, <c>YYYYMMDD_HHMMSS_slug</c>.</summary>
    public required string Folder { get; init; }

    /// <summary>The name as the user gave it.</summary>
    public required string Name { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    public required string CreatedBy { get; init; }

    public required string Host { get; init; }

    public required BundleDestination Destination { get; init; }

    public required IReadOnlyList<BundleSectionSummary> Sections { get; init; }

    public long Files { get; init; }

    public long Bytes { get; init; }

    /// <summary>SHA-256 over every file's path, size and SHA-256 in path order: equal content, equal fingerprint.</summary>
    public required string ContentFingerprint { get; init; }

    /// <summary>How long copying and hashing the files took.</summary>
    public long CollectMilliseconds { get; init; }

    /// <summary>Extra facts for the reports (the server puts the session's project, cycle and counts here).</summary>
    public IReadOnlyDictionary<string, string>? Details { get; init; }

    public int Attempts { get; init; }

    public DateTimeOffset? LastAttemptAt { get; init; }

    public string? LastError { get; init; }

    /// <summary>When a background retry may try again; null: at once.</summary>
    public DateTimeOffset? NextAttemptAt { get; init; }

    public DateTimeOffset? DeliveredAt { get; init; }

    public long? DeliveryMilliseconds { get; init; }

    /// <summary>Where the bundle lands: the destination's base plus the folder.</summary>
    public string Location => Destination.Location.TrimEnd('/', '\\') + "/" + Folder + "/";
}
