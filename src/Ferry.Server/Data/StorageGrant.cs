namespace Ferry.Server.Data;

/// <summary>
/// A company may use buckets matching <see cref="BucketPattern"/> (an exact bucket name, or <c>prefix-*</c>) at a
/// location. Two companies never use the same bucket of an endpoint unless both grants are <see cref="Shared"/>.
/// </summary>
internal sealed class StorageGrant : CompanyOwned
{
    public long Id { get; set; }
    public long LocationId { get; set; }
    public required string BucketPattern { get; set; }
    public bool Shared { get; set; }
    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>True when <paramref name="bucket"/> is the pattern, or starts with the part before a trailing <c>*</c>.</summary>
    public bool Covers(string bucket) => BucketPattern.EndsWith('*')
        ? bucket.StartsWith(BucketPattern[..^1], StringComparison.Ordinal) && bucket.Length > BucketPattern.Length - 1
        : string.Equals(bucket, BucketPattern, StringComparison.Ordinal);
}
