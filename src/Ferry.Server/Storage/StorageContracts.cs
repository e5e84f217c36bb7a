namespace Ferry.Server.Storage;

/// <summary>
/// A location as every API answers it: the secret never, only <see cref="HasSecret"/>; the access key id only as
/// <see cref="AccessKeyHint"/> (its last 4 characters).
/// </summary>
internal sealed record StorageLocationResponse(long Id, string Name, string? EndpointUrl, string Region, string AddressingStyle,
    string CredentialSource, string? ProfileName, string? AccessKeyHint, bool HasSecret, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt,
    IReadOnlyList<StorageGrantResponse> Grants)
{
    public static StorageLocationResponse From(StorageLocation l, IEnumerable<StorageGrant> grants) =>
        new(l.Id, l.Name, l.EndpointUrl, l.Region, l.AddressingStyle, l.CredentialSource, l.ProfileName, Hint(l.AccessKeyId),
            !string.IsNullOrEmpty(l.SecretCiphertext), l.CreatedAt, l.UpdatedAt, grants.Select(StorageGrantResponse.From).ToList());

    private static string? Hint(string? accessKeyId) => accessKeyId is null ? null : "****" + accessKeyId[Math.Max(0, accessKeyId.Length - 4)..];
}

internal sealed record StorageGrantResponse(long Id, long LocationId, long CompanyId, string BucketPattern, bool Shared, DateTimeOffset CreatedAt)
{
    public static StorageGrantResponse From(StorageGrant g) => new(g.Id, g.LocationId, g.CompanyId, g.BucketPattern, g.Shared, g.CreatedAt);
}

/// <summary>What a company may use: one grant with its location's facts (no credentials).</summary>
internal sealed record CompanyGrantResponse(long GrantId, long LocationId, string LocationName, string? EndpointUrl, string Region, string BucketPattern, bool Shared);
