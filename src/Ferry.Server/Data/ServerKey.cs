namespace Ferry.Server.Data;

/// <summary>
/// A named secret every replica of the server shares (today the token-signing key, <c>token-signing</c>), sealed with
/// the server's <c>storage.key</c> (<see cref="Storage.StorageSecrets"/>). Created once: the first replica's insert wins,
/// the others read it. Server-wide: no company owns it, so it has no tenant filter.
/// </summary>
internal sealed class ServerKey
{
    public required string Name { get; set; }
    public required string Value { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}
