namespace Ferry.Core.Storage;

/// <summary>
/// A request anyone may send until <paramref name="ExpiresAt"/>: the method, the full URL, already encoded (the signature is
/// in its query) and the headers that must be sent with it exactly (empty when none are signed).
/// </summary>
public sealed record PresignedRequest(string Method, string Url, IReadOnlyDictionary<string, string> Headers, DateTimeOffset ExpiresAt);
