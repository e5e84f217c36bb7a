namespace Ferry.Server.Data;

/// <summary>A project maps to one bucket, reached with the server's credentials (or <see cref="AwsProfile"/>).</summary>
internal sealed class Project
{
    public long Id { get; set; }
    public long CompanyId { get; set; }
    public required string Name { get; set; }
    public required string BucketName { get; set; }
    public required string Region { get; set; }
    public string? EndpointUrl { get; set; }
    public string? AwsProfile { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}
