namespace Ferry.Client.Contracts;

/// <summary>A project (a bucket) as the API shows it.</summary>
public sealed record ProjectResponse(long Id, string Name, string BucketName, string Region, string? EndpointUrl, string? AwsProfile, DateTimeOffset CreatedAt, long? StorageLocationId, string? StorageLocationName);

/// <summary>The body of <c>POST /api/projects/{id}/cycles</c>.</summary>
public sealed record CycleRequest(string? Name, string? S3Prefix);

/// <summary>A cycle (a key prefix of its project) as the API shows it.</summary>
public sealed record CycleResponse(long Id, long ProjectId, string Name, string S3Prefix, DateTimeOffset CreatedAt);
