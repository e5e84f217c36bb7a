namespace Ferry.Client.Contracts;

// What `ferry storage` sends to /api/storage-locations (system administrator) and the answer of a test; the responses
// that carry a location's row stay with the server (src/Ferry.Server/Storage/StorageContracts.cs).

/// <summary>
/// A location as the system administrator writes it. <see cref="SecretAccessKey"/> is write-only: on update, null
/// keeps the stored secret (when the access key id is unchanged).
/// </summary>
public sealed record StorageLocationRequest(string? Name, string? EndpointUrl, string? Region, string? AddressingStyle,
    string? CredentialSource, string? ProfileName, string? AccessKeyId, string? SecretAccessKey);

/// <summary>The body of <c>POST /api/storage-locations/{id}/grants</c>.</summary>
public sealed record StorageGrantRequest(long? CompanyId, string? BucketPattern, bool? Shared);

/// <summary>The body of <c>POST /api/storage-locations/{id}/test</c>: the bucket to try (null: the location's own check).</summary>
public sealed record StorageTestRequest(string? Bucket);

/// <summary>The outcome of <c>POST /api/storage-locations/{id}/test</c>, in words.</summary>
public sealed record StorageTestResponse(bool Ok, string Message, IReadOnlyList<string> Steps);
