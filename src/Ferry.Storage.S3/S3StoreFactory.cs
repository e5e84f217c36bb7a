using Amazon;
using Amazon.Runtime;
using Amazon.Runtime.CredentialManagement;
using Amazon.S3;
using Ferry.Core.Storage;

namespace Ferry.Storage.S3;

/// <summary>Builds <see cref="S3ObjectStore"/>s: resolves endpoint, region and credentials, and configures the SDK for Ferry.</summary>
public static class S3StoreFactory
{
    /// <summary>
    /// An HTTP client for requests to presigned URLs, with a store's connection rules: pooled connections, no
    /// <c>Expect: 100-continue</c>, and connections only to addresses <paramref name="allowAddress"/> allows (null: any).
    /// The caller disposes it.
    /// </summary>
    public static HttpClient CreateHttpClient(int maxConnections, TimeSpan requestTimeout, Func<System.Net.IPAddress, bool>? allowAddress) =>
        S3HttpClientFactory.CreateClient(maxConnections, TimeSpan.FromSeconds(15), requestTimeout, allowAddress);

    /// <summary>
    /// Creates a store for <paramref name="bucket"/>. Throws <see cref="StoreException"/> of kind
    /// <see cref="StoreErrorKind.InvalidCredentials"/> when no credentials are found or they are placeholders,
    /// and <see cref="FormatException"/> for a malformed endpoint.
    /// </summary>
    public static S3ObjectStore Create(S3ConnectionOptions options, string bucket)
    {
        var endpoint = ResolveEndpoint(options.Endpoint);
        var profile = options.Credentials is null ? LoadProfile(options.Profile) : null;
        var region = options.Region
            ?? Environment.GetEnvironmentVariable("AWS_REGION")
            ?? Environment.GetEnvironmentVariable("AWS_DEFAULT_REGION")
            ?? profile?.Region?.SystemName
            ?? "us-east-1";
        var http = S3HttpClientFactory.CreateClient(options.MaxConnections, TimeSpan.FromSeconds(15), options.RequestTimeout, options.AllowAddress);
        var config = new AmazonS3Config
        {
            MaxErrorRetry = 0,
            Timeout = options.RequestTimeout,
            ConnectTimeout = TimeSpan.FromSeconds(15),
            MaxConnectionsPerServer = options.MaxConnections,
            HttpClientFactory = new S3HttpClientFactory(http),
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
        };
        if (endpoint is not null)
        {
            config.ServiceURL = endpoint.ToString();
            config.ForcePathStyle = true;
            config.AuthenticationRegion = region;
        }
        else
        {
            config.RegionEndpoint = RegionEndpoint.GetBySystemName(region);
        }

        var (credentials, source) = options.Credentials is var (key, secret)
            ? S3CredentialChain.Explicit(key, secret)
            : S3CredentialChain.Resolve(options.Profile, profile, config);

        var description = endpoint?.GetLeftPart(UriPartial.Authority) ?? $"aws:{region}";
        // Custom endpoints are path-style, where Ferry's own signed PUT is exact; AWS keeps the SDK's.
        var direct = endpoint is not null && options.DirectRequests
            ? new S3DirectClient(http, endpoint, bucket, region, credentials, description)
            : null;
        var presigner = new S3Presigner(credentials, region, endpoint, bucket);
        return new S3ObjectStore(() => new AmazonS3Client(credentials, config), bucket, description, https: endpoint is null || endpoint.Scheme == Uri.UriSchemeHttps, direct, presigner)
        {
            CredentialSource = source,
        };
    }

    /// <summary>The endpoint that <see cref="Create"/> would use, or null for AWS.</summary>
    public static Uri? ResolveEndpoint(Uri? explicitEndpoint)
    {
        if (explicitEndpoint is not null)
        {
            return Validate(explicitEndpoint.ToString());
        }

        var text = Environment.GetEnvironmentVariable("AWS_ENDPOINT_URL_S3") ?? Environment.GetEnvironmentVariable("AWS_ENDPOINT_URL");
        return string.IsNullOrWhiteSpace(text) ? null : Validate(text);
    }

    /// <summary>Parses an endpoint URL; throws <see cref="FormatException"/> naming the fix.</summary>
    public static Uri Validate(string text)
    {
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || string.IsNullOrEmpty(uri.Host))
        {
            throw new FormatException($"'{text}' is not a valid endpoint; write it as http://HOST:PORT or https://HOST");
        }

        return uri;
    }

    private static CredentialProfile? LoadProfile(string? name)
    {
        var chosen = name ?? Environment.GetEnvironmentVariable("AWS_PROFILE") ?? "default";
        var chain = new CredentialProfileStoreChain();
        if (chain.TryGetProfile(chosen, out var profile))
        {
            return profile;
        }

        if (name is not null)
        {
            throw new StoreException(StoreErrorKind.InvalidCredentials, $"AWS profile '{name}' not found in the shared config files (~/.aws/credentials, ~/.aws/config); create it or pick another with --profile");
        }

        return null;
    }
}
