namespace Ferry.Server.Data;

/// <summary>
/// One ASP.NET Core data-protection key (the keys behind sign-in cookies and anti-forgery tokens), shared by every
/// replica of the server. <see cref="Xml"/> is the key's XML sealed with the server's <c>storage.key</c>
/// (<see cref="Storage.StorageSecrets"/>). Server-wide: no company owns it, so it has no tenant filter.
/// </summary>
internal sealed class DataProtectionKey
{
    public long Id { get; set; }
    public string? FriendlyName { get; set; }
    public required string Xml { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}
