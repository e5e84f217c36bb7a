using Amazon.Runtime;
using Amazon.Runtime.CredentialManagement;
using Amazon.Runtime.Credentials;
using Ferry.Core.Storage;

namespace Ferry.Storage.S3;

/// <summary>
/// Finds AWS credentials the way the AWS CLI and SDKs do, through AWSSDK.Core's own resolvers (no chain of Ferry's making):
/// a named profile when one is given (static keys, source_profile + role_arn, credential_process, SSO — assume-role and
/// web identity need AWSSDK.SecurityToken, SSO needs AWSSDK.SSO/SSOOIDC, all referenced here so the SDK can load them);
/// otherwise <see cref="DefaultAWSCredentialsIdentityResolver"/>: web identity (AWS_WEB_IDENTITY_TOKEN_FILE + AWS_ROLE_ARN),
/// environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN), the AWS_PROFILE/"default" profile, container
/// credentials (AWS_CONTAINER_CREDENTIALS_RELATIVE_URI/FULL_URI), then EC2 instance metadata (IMDSv2; off when
/// AWS_EC2_METADATA_DISABLED=true). The credentials are fetched once here, so a missing, refused or placeholder source fails
/// at once with one line; temporary ones are then refreshed by the SDK before they expire, handed out one set at a time by
/// <see cref="S3StableCredentials"/> (see docs/security.md).
/// </summary>
internal static class S3CredentialChain
{
    /// <summary>How long instance metadata may take to answer before Ferry says no credentials were found (off EC2 it never answers).</summary>
    public static readonly TimeSpan InstanceMetadataTimeout = TimeSpan.FromSeconds(5);

    /// <summary>How long any other source (STS, a container endpoint, credential_process, SSO) may take to hand out credentials.</summary>
    public static readonly TimeSpan SourceTimeout = TimeSpan.FromSeconds(30);

    private const string NoneFound = "no AWS credentials found; set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, name a profile with --profile, or run where an instance role, ECS task role or EKS service account (web identity) supplies them";

    public static (AWSCredentials Credentials, S3CredentialSource Source) Explicit(string key, string secret)
    {
        RejectPlaceholders(key, secret, "the given credentials");
        return (new BasicAWSCredentials(key, secret), new S3CredentialSource("given keys", key, null, Temporary: false));
    }

    /// <summary>
    /// Resolves credentials for <paramref name="explicitProfile"/> (already loaded as <paramref name="profile"/>), or the default
    /// chain when null. Throws <see cref="StoreException"/> of kind <see cref="StoreErrorKind.InvalidCredentials"/> with one line
    /// naming the source when none is found, the source fails or times out, or the keys are placeholders.
    /// </summary>
    public static (AWSCredentials Credentials, S3CredentialSource Source) Resolve(string? explicitProfile, CredentialProfile? profile, IClientConfig config)
    {
        AWSCredentials credentials;
        string source;
        if (explicitProfile is not null && profile is not null)
        {
            source = DescribeProfile(profile.Name, null);
            try
            {
                credentials = AWSCredentialsFactory.GetAWSCredentials(profile, new CredentialProfileStoreChain());
            }
            catch (Exception ex) when (ex is AmazonClientException or InvalidOperationException or ArgumentException)
            {
                throw new StoreException(StoreErrorKind.InvalidCredentials, $"AWS profile '{profile.Name}' has no usable credentials ({FirstLine(ex.Message)}); fix it in ~/.aws/config or ~/.aws/credentials");
            }

            source = DescribeProfile(profile.Name, credentials);
        }
        else
        {
            var key = Environment.GetEnvironmentVariable("AWS_ACCESS_KEY_ID");
            if (!string.IsNullOrEmpty(key) && string.IsNullOrEmpty(Environment.GetEnvironmentVariable("AWS_WEB_IDENTITY_TOKEN_FILE")))
            {
                // The SDK would skip half-set environment keys silently and go on to other sources; say what is wrong instead.
                RejectPlaceholders(key, Environment.GetEnvironmentVariable("AWS_SECRET_ACCESS_KEY"), "AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY");
            }

            try
            {
                credentials = DefaultAWSCredentialsIdentityResolver.GetCredentials(config);
            }
            catch (ProcessAWSCredentialException ex)
            {
                throw new StoreException(StoreErrorKind.InvalidCredentials, $"the credential_process of AWS profile '{DefaultAWSCredentialsIdentityResolver.GetProfileName()}' failed ({FirstLine(ex.Message)})");
            }
            catch (AmazonClientException)
            {
                throw new StoreException(StoreErrorKind.InvalidCredentials, NoneFound);
            }

            source = Describe(credentials);
        }

        var stable = new S3StableCredentials(credentials);
        var isInstanceMetadata = IsInstanceMetadata(credentials);
        var timeout = isInstanceMetadata ? InstanceMetadataTimeout : SourceTimeout;
        ImmutableCredentials identity;
        try
        {
            identity = stable.GetCredentialsAsync().WaitAsync(timeout).GetAwaiter().GetResult();
        }
        catch (TimeoutException)
        {
            throw new StoreException(StoreErrorKind.InvalidCredentials, isInstanceMetadata
                ? $"{NoneFound} (instance metadata did not answer within {InstanceMetadataTimeout.TotalSeconds:0} s: not on EC2?)"
                : $"AWS credentials from {source} did not arrive within {SourceTimeout.TotalSeconds:0} s");
        }
        catch (Exception ex) when (ex is AmazonClientException or HttpRequestException or IOException or InvalidOperationException or UnauthorizedAccessException)
        {
            throw new StoreException(StoreErrorKind.InvalidCredentials, isInstanceMetadata
                ? $"{NoneFound} (instance metadata: {FirstLine(ex.Message)})"
                : $"AWS credentials from {source} could not be fetched ({FirstLine(ex.Message)})");
        }

        if (identity is null)
        {
            throw new StoreException(StoreErrorKind.InvalidCredentials, isInstanceMetadata ? NoneFound : $"{source} returned no AWS credentials");
        }

        RejectPlaceholders(identity.AccessKey, identity.SecretKey, source);
        DateTimeOffset? expires = credentials.Expiration is { } expiration ? new DateTimeOffset(DateTime.SpecifyKind(expiration, DateTimeKind.Utc)) : null;
        if (credentials is RefreshingAWSCredentials refreshing && expires is { } buffered)
        {
            // The SDK stores the expiry less its ExpirationBuffer (the moment it stops using the keys); report the source's own.
            expires = buffered + refreshing.ExpirationBuffer;
        }

        return (stable, new S3CredentialSource(source, identity.AccessKey, expires, Temporary: !string.IsNullOrEmpty(identity.Token)));
    }

    private static string Describe(AWSCredentials credentials) => credentials switch
    {
        AssumeRoleWithWebIdentityCredentials webIdentity => $"web identity (role {webIdentity.RoleArn})",
        EnvironmentVariablesAWSCredentials => string.IsNullOrEmpty(Environment.GetEnvironmentVariable("AWS_SESSION_TOKEN"))
            ? "environment (AWS_ACCESS_KEY_ID)"
            : "environment (AWS_ACCESS_KEY_ID with AWS_SESSION_TOKEN)",
        GenericContainerCredentials => !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"))
            ? "container credentials (ECS task role, AWS_CONTAINER_CREDENTIALS_RELATIVE_URI)"
            : "container credentials (AWS_CONTAINER_CREDENTIALS_FULL_URI)",
        _ when IsInstanceMetadata(credentials) => "instance metadata (EC2 instance role)",
        _ => DescribeProfile(DefaultAWSCredentialsIdentityResolver.GetProfileName(), credentials),
    };

    private static string DescribeProfile(string name, AWSCredentials? credentials) => credentials switch
    {
        AssumeRoleAWSCredentials assumeRole => $"profile '{name}' (assume role {assumeRole.RoleArn})",
        AssumeRoleWithWebIdentityCredentials webIdentity => $"profile '{name}' (web identity, role {webIdentity.RoleArn})",
        ProcessAWSCredentials => $"profile '{name}' (credential_process)",
        SSOAWSCredentials => $"profile '{name}' (SSO)",
        _ => $"profile '{name}'",
    };

    // The SDK's instance-metadata credentials type is internal; its name is the only handle.
    private static bool IsInstanceMetadata(AWSCredentials credentials) =>
        credentials is InstanceProfileAWSCredentials || credentials.GetType().Name == "DefaultInstanceProfileAWSCredentials";

    private static string FirstLine(string message)
    {
        var line = message.Split('\n', 2)[0].Trim();
        return line.Length > 200 ? line[..200] + "…" : line;
    }

    private static void RejectPlaceholders(string? key, string? secret, string source)
    {
        if (string.IsNullOrEmpty(secret))
        {
            throw new StoreException(StoreErrorKind.InvalidCredentials, $"the secret access key is missing ({source}); set AWS_SECRET_ACCESS_KEY or the profile's aws_secret_access_key");
        }

        if (CredentialPlaceholders.IsPlaceholder(key) || CredentialPlaceholders.IsPlaceholder(secret))
        {
            throw new StoreException(StoreErrorKind.InvalidCredentials, $"the AWS credentials in {source} are placeholders, not real keys; put your real access key id and secret there");
        }
    }
}
