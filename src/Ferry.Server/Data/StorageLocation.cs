namespace Ferry.Server.Data;

/// <summary>
/// An operator-managed place to store objects: an S3 endpoint (null = AWS), its region, addressing and where the
/// server's credentials for it come from. Only the system administrator creates and changes them; companies reach a
/// location only through a <see cref="StorageGrant"/>.
/// </summary>
internal sealed class StorageLocation
{
    public long Id { get; set; }
    public required string Name { get; set; }

    /// <summary>http(s)://HOST[:PORT]; null for AWS.</summary>
    public string? EndpointUrl { get; set; }

    public required string Region { get; set; }

    /// <summary><see cref="StorageAddressing.Path"/> (custom endpoints) or <see cref="StorageAddressing.Virtual"/> (AWS).</summary>
    public required string AddressingStyle { get; set; }

    /// <summary><see cref="StorageCredentialSources"/>: default, profile or keys.</summary>
    public required string CredentialSource { get; set; }

    /// <summary>The shared-config profile when <see cref="CredentialSource"/> is profile.</summary>
    public string? ProfileName { get; set; }

    /// <summary>The access key id when <see cref="CredentialSource"/> is keys.</summary>
    public string? AccessKeyId { get; set; }

    /// <summary>The secret access key, encrypted (AES-GCM, see Storage/StorageSecrets); never returned by any API or page.</summary>
    public string? SecretCiphertext { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>Changes with every edit, so cached S3 clients built from older settings are not reused.</summary>
    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>Where a location's credentials come from.</summary>
internal static class StorageCredentialSources
{
    /// <summary>Ferry:S3AccessKeyId/S3SecretAccessKey when set, else the server's AWS SDK chain (web identity, environment, profiles, container, instance metadata).</summary>
    public const string Default = "default";

    /// <summary>A named profile in the server's shared AWS config files.</summary>
    public const string Profile = "profile";

    /// <summary>An access key pair stored (encrypted) in the database.</summary>
    public const string Keys = "keys";
}

/// <summary>How buckets are addressed.</summary>
internal static class StorageAddressing
{
    public const string Path = "path";
    public const string Virtual = "virtual";
}
