namespace Ferry.Server.Tenancy;

/// <summary>
/// A project as a company admin writes it: a granted storage location and a bucket within the grant. Region falls back
/// to the location's. <see cref="EndpointUrl"/> and <see cref="AwsProfile"/> are facts of the location: a request
/// that sets them to anything else is refused (400); without <see cref="StorageLocationId"/>, they pick the granted
/// location with that endpoint (older clients).
/// </summary>
internal sealed record ProjectRequest(string? Name, string? BucketName, string? Region, string? EndpointUrl, string? AwsProfile, long? StorageLocationId = null);
