namespace Ferry.Client.Contracts;

// The multipart steps of a session (create, sign parts, list parts, complete, abort) under /api/sessions/{id}/multipart.

/// <summary>The body of <c>POST /api/sessions/{id}/multipart</c>; sha256 (hex, optional) is stored with the object.</summary>
public sealed record CreateMultipartRequest(string? Path, string? Sha256 = null);

public sealed record MultipartResponse(string UploadId, string Key);

public sealed record SignPartsRequest(PartNumberList? PartNumbers);

/// <summary>A presigned PUT of one part.</summary>
public sealed record SignedPart(int PartNumber, string Method, string Url, IReadOnlyDictionary<string, string> Headers, DateTimeOffset ExpiresAt);

public sealed record SignPartsResponse(List<SignedPart> Parts);

public sealed record PartResponse(int PartNumber, long Size, string Etag);

public sealed record ListPartsResponse(List<PartResponse> Parts);

public sealed record CompleteMultipartRequest(PartEtagList? Parts);

public sealed record PartEtag(int PartNumber, string? Etag);

public sealed record CompleteMultipartResponse(string Key, string? Etag);
