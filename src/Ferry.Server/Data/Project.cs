namespace Ferry.Server.Data;

/// <summary>
/// A project maps to one bucket at a granted <see cref="StorageLocation"/>, which says how it is reached.
/// <see cref="EndpointUrl"/> and <see cref="AwsProfile"/> are copies of the location's facts, kept for readers of the
/// table; the location is the source of truth.
/// </summary>
internal sealed class Project : CompanyOwned
{
    public long Id { get; set; }
    public required string Name { get; set; }
    public required string BucketName { get; set; }
    public required string Region { get; set; }
    public string? EndpointUrl { get; set; }
    public string? AwsProfile { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public long? StorageLocationId { get; set; }

    /// <summary>Loaded with every project (auto-included).</summary>
    public StorageLocation? StorageLocation { get; set; }
}
