namespace Ferry.Core.Storage;

/// <summary>
/// A request anyone may send until <paramref name="ExpiresAt"/>: the method, the full URL, already encoded (for PUT
/// the signature is in its query), the headers that must be sent with it exactly (empty when none are signed), and
/// for a browser form upload (POST) the form fields to send before the file, in order.
/// </summary>
public sealed record PresignedRequest(string Method, string Url, IReadOnlyDictionary<string, string> Headers, DateTimeOffset ExpiresAt, IReadOnlyList<KeyValuePair<string, string>>? Fields = null);
