namespace Ferry.Client.Contracts;

// The calls a donor's machine makes with a donation link (docs/api.md, "Donation links"): GET /api/link, then a resumable
// upload under /api/link/uploads and its finish. Shared by the server's endpoints and `ferry donate --link`.

/// <summary>A link as its donors see it (<c>GET /api/link</c>): label, study, policy, rules (JSON) and their hash, the public salt (base64), expiry and limits.</summary>
public sealed record LinkInfo(string Label, string Study, string PolicyVersion, string PolicyHash, string PolicyText, string Rules, string RulesHash, string Salt,
    DateTimeOffset ExpiresAt, long MaxBytes, int DonationsLeft, int ChunkBytes);

/// <summary>The body of <c>POST /api/link/uploads</c>: the bundle's length in bytes, its SHA-256 (hex) and the donor's consent.</summary>
public sealed record NewLinkUpload(long Length, string? Sha256, string? Consent);

/// <summary>A link upload: how many of its <see cref="Length"/> bytes the server holds (<see cref="Offset"/>) and the chunk size it takes.</summary>
public sealed record LinkUploadResponse(string Id, long Offset, long Length, int ChunkBytes);

/// <summary>The server's answer to a finished link donation.</summary>
public sealed record LinkDonationResponse(string Donor, int Files, long Records, long Malformed, long Bytes, string Location, DateTimeOffset CreatedAt);
