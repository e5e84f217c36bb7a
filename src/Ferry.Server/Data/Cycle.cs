namespace Ferry.Server.Data;

/// <summary>A collection cycle (C1, C2…): a key prefix in the project's bucket.</summary>
internal sealed class Cycle
{
    public long Id { get; set; }
    public long ProjectId { get; set; }
    public required string Name { get; set; }

    /// <summary>Normalized: no leading '/', ends with '/' unless empty.</summary>
    public required string S3Prefix { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
}
