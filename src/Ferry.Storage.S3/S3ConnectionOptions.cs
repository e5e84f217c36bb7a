namespace Ferry.Storage.S3;

/// <summary>
/// How to reach an S3-compatible service. Anything left null is taken from the standard AWS
/// sources: <c>AWS_ENDPOINT_URL_S3</c>/<c>AWS_ENDPOINT_URL</c>, <c>AWS_REGION</c>/<c>AWS_DEFAULT_REGION</c>,
/// and credentials from the AWS SDK's standard chain (<see cref="S3CredentialChain"/>): web identity, environment
/// (with <c>AWS_SESSION_TOKEN</c>), the shared profile files (<c>AWS_PROFILE</c> or "default"), container credentials,
/// then EC2 instance metadata (unless <c>AWS_EC2_METADATA_DISABLED=true</c>).
/// </summary>
public sealed record S3ConnectionOptions
{
    /// <summary>A custom endpoint such as <c>http://127.0.0.1:4568</c>; null for AWS. Custom endpoints use path-style addressing.</summary>
    public Uri? Endpoint { get; init; }

    /// <summary>The region to sign for; default from the environment or profile, else us-east-1.</summary>
    public string? Region { get; init; }

    /// <summary>A named profile from the shared config files; when set it wins over environment credentials.</summary>
    public string? Profile { get; init; }

    /// <summary>Explicit credentials (access key id, secret); when set, the environment and profiles are not consulted.</summary>
    public (string AccessKeyId, string SecretAccessKey)? Credentials { get; init; }

    /// <summary>Connections kept open to the endpoint; match the number of requests in flight. Default 64.</summary>
    public int MaxConnections { get; init; } = 64;

    /// <summary>
    /// Send PUTs, part uploads and GETs to custom endpoints with Ferry's own SigV4-signed requests
    /// instead of the SDK's pipeline (much less CPU per small file). Default true; AWS endpoints always use the SDK.
    /// </summary>
    public bool DirectRequests { get; init; } = true;

    /// <summary>How long one request may take before it counts as timed out and is retried. Default 5 minutes.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// When set, every connection resolves the host itself and connects only to addresses this returns true for;
    /// when none is allowed the request fails without connecting (so a host that later resolves elsewhere, DNS
    /// rebinding, cannot slip past a check made earlier). Default null: any address (the CLI).
    /// </summary>
    public Func<System.Net.IPAddress, bool>? AllowAddress { get; init; }
}
