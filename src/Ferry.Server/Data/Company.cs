namespace Ferry.Server.Data;

/// <summary>A tenant: owns users and projects; nothing crosses from one company to another.</summary>
internal sealed class Company
{
    public long Id { get; set; }
    public required string Name { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}
