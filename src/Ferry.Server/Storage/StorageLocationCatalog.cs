using System.Text.RegularExpressions;
using Ferry.Core.Storage;
using Ferry.Server.Sessions;

namespace Ferry.Server.Storage;

/// <summary>
/// Storage locations and grants (the system administrator's), and the rule every project passes: a company uses a
/// bucket only at a location granted to it, within the grant's pattern, never Ferry's reserved donation bucket, and
/// never a bucket of the same endpoint that another company uses unless both grants are shared.
/// </summary>
internal sealed partial class StorageLocationCatalog(FerryDbContext db, TimeProvider time, StorageSecrets secrets, EndpointGuard guard,
    ProjectStores stores, FerryServerOptions options, ILogger<StorageLocationCatalog> logger)
{
    public async Task<List<StorageLocationResponse>> ListAsync(CancellationToken cancellationToken)
    {
        var locations = await db.StorageLocations.AsNoTracking().OrderBy(l => l.Name).ToListAsync(cancellationToken);
        var grants = await db.StorageGrants.AcrossCompanies().AsNoTracking().OrderBy(g => g.Id).ToListAsync(cancellationToken);
        return locations.Select(l => StorageLocationResponse.From(l, grants.Where(g => g.LocationId == l.Id))).ToList();
    }

    public async Task<StorageLocationResponse?> GetAsync(long id, CancellationToken cancellationToken) =>
        await db.StorageLocations.AsNoTracking().FirstOrDefaultAsync(l => l.Id == id, cancellationToken) is { } location
            ? StorageLocationResponse.From(location, await db.StorageGrants.AcrossCompanies().AsNoTracking().Where(g => g.LocationId == id).OrderBy(g => g.Id).ToListAsync(cancellationToken))
            : null;

    public async Task<(StorageLocation? Location, Refusal? Refusal)> CreateAsync(StorageLocationRequest request, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var location = new StorageLocation { Name = "", Region = "", AddressingStyle = "", CredentialSource = "", CreatedAt = now, UpdatedAt = now };
        if (await ApplyAsync(location, request, cancellationToken) is { } refusal)
        {
            return (null, refusal);
        }

        db.StorageLocations.Add(location);
        await db.SaveChangesAsync(cancellationToken);
        logger.LogInformation("Storage location {Id} '{Name}' created ({Endpoint}, credentials: {Source})", location.Id, location.Name, location.EndpointUrl ?? "AWS", location.CredentialSource);
        return (location, null);
    }

    /// <summary>Null when saved; projects on the location follow it (their stores are rebuilt).</summary>
    public async Task<Refusal?> UpdateAsync(StorageLocation location, StorageLocationRequest request, CancellationToken cancellationToken)
    {
        if (await ApplyAsync(location, request, cancellationToken) is { } refusal)
        {
            return refusal;
        }

        location.UpdatedAt = time.GetUtcNow();
        await db.Projects.AcrossCompanies().Where(p => p.StorageLocationId == location.Id).ExecuteUpdateAsync(s => s
            .SetProperty(p => p.EndpointUrl, location.EndpointUrl)
            .SetProperty(p => p.AwsProfile, location.CredentialSource == StorageCredentialSources.Profile ? location.ProfileName : null), cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        logger.LogInformation("Storage location {Id} '{Name}' changed ({Endpoint}, credentials: {Source})", location.Id, location.Name, location.EndpointUrl ?? "AWS", location.CredentialSource);
        return null;
    }

    public Task<StorageLocation?> FindAsync(long id, CancellationToken cancellationToken) =>
        db.StorageLocations.FirstOrDefaultAsync(l => l.Id == id, cancellationToken);

    public async Task<Refusal?> DeleteAsync(StorageLocation location, CancellationToken cancellationToken)
    {
        if (await db.Projects.AcrossCompanies().AnyAsync(p => p.StorageLocationId == location.Id, cancellationToken))
        {
            return Refusal.Conflict($"storage location '{location.Name}' is used by projects; move or delete them first");
        }

        db.StorageLocations.Remove(location);
        await db.SaveChangesAsync(cancellationToken);
        return null;
    }

    public async Task<(StorageGrant? Grant, Refusal? Refusal)> GrantAsync(StorageLocation location, StorageGrantRequest request, CancellationToken cancellationToken)
    {
        var pattern = request.BucketPattern?.Trim() ?? "";
        if (!ValidPattern(pattern))
        {
            return (null, Refusal.Invalid("bucket_pattern must be a bucket name, or a prefix of at least 3 characters ending in '-*' such as lab-*"));
        }

        if (request.CompanyId is not { } companyId || !await db.Companies.AcrossCompanies().AnyAsync(c => c.Id == companyId, cancellationToken))
        {
            return (null, Refusal.Invalid("company_id must name an existing company"));
        }

        if (ReservedBucket is { } reserved && Matches(pattern, reserved))
        {
            return (null, Refusal.Forbidden($"bucket '{reserved}' is Ferry's donation destination, reserved for the server; grant another bucket"));
        }

        if (await db.StorageGrants.AcrossCompanies().AnyAsync(g => g.LocationId == location.Id && g.CompanyId == companyId && g.BucketPattern == pattern, cancellationToken))
        {
            return (null, Refusal.Conflict($"company {companyId} already has the grant '{pattern}' at this location"));
        }

        var grant = new StorageGrant { LocationId = location.Id, CompanyId = companyId, BucketPattern = pattern, Shared = request.Shared ?? false, CreatedAt = time.GetUtcNow() };
        db.StorageGrants.Add(grant);
        await db.SaveChangesAsync(cancellationToken);
        logger.LogInformation("Storage location {Location} granted to company {Company}: {Pattern}{Shared}", location.Id, companyId, pattern, grant.Shared ? " (shared)" : "");
        return (grant, null);
    }

    /// <summary>Marks a grant shared or not; null when saved or when there is no such grant (the caller answers 404 first).</summary>
    public async Task<StorageGrant?> SetSharedAsync(StorageLocation location, long grantId, bool shared, CancellationToken cancellationToken)
    {
        if (await db.StorageGrants.AcrossCompanies().FirstOrDefaultAsync(g => g.Id == grantId && g.LocationId == location.Id, cancellationToken) is not { } grant)
        {
            return null;
        }

        grant.Shared = shared;
        await db.SaveChangesAsync(cancellationToken);
        logger.LogInformation("Grant {Grant} of storage location {Location} to company {Company} is now {Shared}", grant.Id, location.Id, grant.CompanyId, shared ? "shared" : "exclusive");
        return grant;
    }

    public async Task<Refusal?> RevokeAsync(StorageLocation location, long grantId, CancellationToken cancellationToken)
    {
        if (await db.StorageGrants.AcrossCompanies().FirstOrDefaultAsync(g => g.Id == grantId && g.LocationId == location.Id, cancellationToken) is not { } grant)
        {
            return null;
        }

        var others = await db.StorageGrants.AcrossCompanies().AsNoTracking().Where(g => g.LocationId == location.Id && g.CompanyId == grant.CompanyId && g.Id != grant.Id).ToListAsync(cancellationToken);
        var buckets = await db.Projects.AcrossCompanies().AsNoTracking().Where(p => p.StorageLocationId == location.Id && p.CompanyId == grant.CompanyId).Select(p => p.BucketName).ToListAsync(cancellationToken);
        if (buckets.FirstOrDefault(b => grant.Covers(b) && !others.Any(o => o.Covers(b))) is { } used)
        {
            return Refusal.Conflict($"the company's project on bucket '{used}' relies on this grant; move or delete the project first");
        }

        db.StorageGrants.Remove(grant);
        await db.SaveChangesAsync(cancellationToken);
        return null;
    }

    /// <summary>The company's grants with their locations' facts, for company admins picking a bucket.</summary>
    public Task<List<CompanyGrantResponse>> GrantsOfAsync(long companyId, CancellationToken cancellationToken) =>
        db.StorageGrants.AsNoTracking().Where(g => g.CompanyId == companyId)
            .Join(db.StorageLocations, g => g.LocationId, l => l.Id, (g, l) => new { Grant = g, Location = l })
            .OrderBy(x => x.Location.Name).ThenBy(x => x.Grant.BucketPattern)
            .Select(x => new CompanyGrantResponse(x.Grant.Id, x.Location.Id, x.Location.Name, x.Location.EndpointUrl, x.Location.Region, x.Grant.BucketPattern, x.Grant.Shared))
            .ToListAsync(cancellationToken);

    /// <summary>Lists, then writes, reads back and deletes a small probe object in <paramref name="bucket"/>; the answer in words.</summary>
    public async Task<StorageTestResponse> TestAsync(StorageLocation location, string? bucket, CancellationToken cancellationToken)
    {
        var steps = new List<string>();
        if (string.IsNullOrWhiteSpace(bucket) || !BucketName().IsMatch(bucket))
        {
            return new(false, "name a bucket to test (3 to 63 lower-case letters, digits, dots and hyphens)", steps);
        }

        if (location.EndpointUrl is { } endpoint && await guard.CheckAsync(new Uri(endpoint), cancellationToken) is { } refused)
        {
            return new(false, refused, steps);
        }

        var where = $"bucket '{bucket}' at {location.EndpointUrl ?? "AWS " + location.Region}";
        var step = "connect";
        try
        {
            using var store = stores.CreateUncached(location, bucket);
            step = "list";
            await foreach (var _ in store.ListAsync("", cancellationToken))
            {
                break;
            }

            steps.Add("listed the bucket");
            var key = $"ferry-probe/{Guid.NewGuid():N}.txt";
            var probe = "ferry storage probe"u8.ToArray();
            step = "write";
            await store.PutAsync(key, new MemoryStream(probe), probe.Length, new ObjectWriteOptions(null), cancellationToken);
            steps.Add($"wrote {key}");
            step = "read back";
            await using (var content = await store.ReadAsync(key, 0, null, cancellationToken))
            {
                using var copy = new MemoryStream();
                await content.Content.CopyToAsync(copy, cancellationToken);
                if (!copy.ToArray().AsSpan().SequenceEqual(probe))
                {
                    return new(false, $"{where}: the probe object read back differs from what was written", steps);
                }
            }

            steps.Add("read it back");
            step = "delete";
            await store.DeleteAsync(key, cancellationToken);
            steps.Add("deleted it");
            return new(true, $"{where}: listed, wrote, read back and deleted a probe object; the location works", steps);
        }
        catch (Exception ex) when (ex is StoreException or FormatException or System.Security.Cryptography.CryptographicException or HttpRequestException)
        {
            logger.LogWarning(ex, "Test of storage location {Id} ({Where}) failed at {Step}", location.Id, where, step);
            return new(false, $"{where}: could not {step}: {ServerFailureText.Describe(ex)} (the detail is in the server log)", steps);
        }
    }

    /// <summary>
    /// The location (tracked) a company's project request points at, checked against the company's grants and Ferry's reserved
    /// areas. <paramref name="current"/> is the project being changed (its location is kept when the request names none).
    /// </summary>
    public async Task<(StorageLocation? Location, Refusal? Refusal)> ResolveForProjectAsync(long companyId, Project? current, long? locationId,
        string? endpointUrl, string? awsProfile, string bucket, CancellationToken cancellationToken)
    {
        var grants = await db.StorageGrants.AsNoTracking().Where(g => g.CompanyId == companyId).ToListAsync(cancellationToken);
        var endpoint = string.IsNullOrWhiteSpace(endpointUrl) ? null : endpointUrl.Trim();
        StorageLocation? location;
        if ((locationId ?? (endpoint is null ? current?.StorageLocationId : null)) is { } id)
        {
            location = await db.StorageLocations.FirstOrDefaultAsync(l => l.Id == id, cancellationToken);
            if (location is null || !grants.Any(g => g.LocationId == id))
            {
                return (null, Refusal.Forbidden($"storage location {id} is not granted to your company; pick one of your company's granted locations"));
            }
        }
        else
        {
            // No location named: the granted location whose endpoint is the one given (or any, when none is given) and whose grants cover the bucket.
            var candidates = grants.Where(g => g.Covers(bucket)).Select(g => g.LocationId).Distinct().ToList();
            var locations = await db.StorageLocations.Where(l => candidates.Contains(l.Id)).OrderBy(l => l.Id).ToListAsync(cancellationToken);
            location = locations.FirstOrDefault(l => endpoint is null || SameEndpoint(l.EndpointUrl, endpoint));
            if (location is null)
            {
                return (null, Refusal.Forbidden(endpoint is null
                    ? $"bucket '{bucket}' is not within any storage grant of your company; ask the system administrator for a grant"
                    : $"bucket '{bucket}' at {endpoint} is not within any storage grant of your company; ask the system administrator for a grant"));
            }
        }

        if (endpoint is not null && !SameEndpoint(location.EndpointUrl, endpoint))
        {
            return (null, Refusal.Invalid($"endpoint_url is a read-only fact of storage location '{location.Name}' ({location.EndpointUrl ?? "AWS"}); leave it out"));
        }

        var profile = location.CredentialSource == StorageCredentialSources.Profile ? location.ProfileName : null;
        if (!string.IsNullOrWhiteSpace(awsProfile) && awsProfile.Trim() != profile)
        {
            return (null, Refusal.Invalid($"aws_profile is a read-only fact of storage location '{location.Name}'; leave it out"));
        }

        if (ReservedBucket is { } reserved && bucket == reserved)
        {
            return (null, Refusal.Forbidden($"bucket '{bucket}' is Ferry's donation destination, reserved for the server"));
        }

        var covering = grants.Where(g => g.LocationId == location.Id && g.Covers(bucket)).ToList();
        if (covering.Count == 0)
        {
            var granted = string.Join(", ", grants.Where(g => g.LocationId == location.Id).Select(g => g.BucketPattern));
            return (null, Refusal.Forbidden($"bucket '{bucket}' is not within your company's grants at storage location '{location.Name}' (granted: {granted})"));
        }

        if (await UsedByAnotherCompanyAsync(companyId, location, bucket, covering.Any(g => g.Shared), cancellationToken))
        {
            return (null, Refusal.Forbidden($"bucket '{bucket}' is already used by another company's project; two companies share a bucket only when the system administrator marks both grants shared"));
        }

        return (location, null);
    }

    /// <summary>True when a project of another company uses <paramref name="bucket"/> on the same endpoint, unless both sides' grants are shared.</summary>
    private async Task<bool> UsedByAnotherCompanyAsync(long companyId, StorageLocation location, string bucket, bool sharedHere, CancellationToken cancellationToken)
    {
        var others = await db.Projects.AcrossCompanies().AsNoTracking().IgnoreAutoIncludes().Where(p => p.CompanyId != companyId && p.BucketName == bucket && p.StorageLocationId != null)
            .Join(db.StorageLocations, p => p.StorageLocationId, l => l.Id, (p, l) => new { p.CompanyId, l.Id, l.EndpointUrl }).ToListAsync(cancellationToken);
        var clashing = others.Where(o => SameEndpoint(o.EndpointUrl, location.EndpointUrl)).ToList();
        if (clashing.Count == 0)
        {
            return false;
        }

        if (!sharedHere)
        {
            return true;
        }

        var companies = clashing.Select(c => c.CompanyId).Distinct().ToList();
        var theirGrants = await db.StorageGrants.AcrossCompanies().AsNoTracking().Where(g => companies.Contains(g.CompanyId) && g.Shared).ToListAsync(cancellationToken);
        return clashing.Any(c => !theirGrants.Any(g => g.CompanyId == c.CompanyId && g.LocationId == c.Id && g.Covers(bucket)));
    }

    /// <summary>The bucket of Ferry:DonationDestination, reserved on every location (two endpoint spellings can reach one server).</summary>
    private string? ReservedBucket => options.DonationDestination is { } destination && destination.Length > 5
        ? destination[5..].Split('/', 2)[0]
        : null;

    private async Task<Refusal?> ApplyAsync(StorageLocation location, StorageLocationRequest request, CancellationToken cancellationToken)
    {
        var name = request.Name?.Trim();
        if (string.IsNullOrEmpty(name) || name.Length > 200)
        {
            return Refusal.Invalid("give the location a name of 1 to 200 characters");
        }

        if (await db.StorageLocations.AnyAsync(l => l.Name == name && l.Id != location.Id, cancellationToken))
        {
            return Refusal.Conflict($"a storage location named '{name}' already exists");
        }

        string? endpoint = null;
        if (!string.IsNullOrWhiteSpace(request.EndpointUrl))
        {
            Uri uri;
            try
            {
                uri = Ferry.Storage.S3.S3StoreFactory.Validate(request.EndpointUrl.Trim());
            }
            catch (FormatException ex)
            {
                return Refusal.Invalid("endpoint_url: " + ex.Message);
            }

            if (uri.AbsolutePath != "/" || !string.IsNullOrEmpty(uri.Query) || !string.IsNullOrEmpty(uri.UserInfo))
            {
                return Refusal.Invalid("endpoint_url is scheme, host and port only, such as https://s3.example.org");
            }

            if (await guard.CheckAsync(uri, cancellationToken) is { } refused)
            {
                return Refusal.Invalid(refused);
            }

            endpoint = uri.GetLeftPart(UriPartial.Authority);
        }

        var region = string.IsNullOrWhiteSpace(request.Region) ? "us-east-1" : request.Region.Trim();
        if (!RegionName().IsMatch(region))
        {
            return Refusal.Invalid("region must be a region name such as eu-west-1");
        }

        var addressing = string.IsNullOrWhiteSpace(request.AddressingStyle) ? (endpoint is null ? StorageAddressing.Virtual : StorageAddressing.Path) : request.AddressingStyle.Trim();
        if (addressing != (endpoint is null ? StorageAddressing.Virtual : StorageAddressing.Path))
        {
            return Refusal.Invalid("addressing_style is 'path' for custom endpoints and 'virtual' for AWS (the only combinations Ferry signs for)");
        }

        var source = string.IsNullOrWhiteSpace(request.CredentialSource) ? StorageCredentialSources.Default : request.CredentialSource.Trim();
        switch (source)
        {
            case StorageCredentialSources.Default:
                location.ProfileName = null;
                location.AccessKeyId = null;
                location.SecretCiphertext = null;
                break;
            case StorageCredentialSources.Profile:
                if (string.IsNullOrWhiteSpace(request.ProfileName) || request.ProfileName.Trim().Length > 100)
                {
                    return Refusal.Invalid("credential_source 'profile' needs profile_name, a profile in the server's AWS config files");
                }

                location.ProfileName = request.ProfileName.Trim();
                location.AccessKeyId = null;
                location.SecretCiphertext = null;
                break;
            case StorageCredentialSources.Keys:
                var keyId = request.AccessKeyId?.Trim();
                if (string.IsNullOrEmpty(keyId) || keyId.Length > 128)
                {
                    return Refusal.Invalid("credential_source 'keys' needs access_key_id and secret_access_key");
                }

                if (string.IsNullOrEmpty(request.SecretAccessKey))
                {
                    if (location.SecretCiphertext is null || location.AccessKeyId != keyId)
                    {
                        return Refusal.Invalid("credential_source 'keys' needs secret_access_key (it is kept only when the access key id is unchanged)");
                    }
                }
                else if (request.SecretAccessKey.Length > 256)
                {
                    return Refusal.Invalid("secret_access_key is at most 256 characters");
                }
                else
                {
                    location.SecretCiphertext = secrets.Encrypt(request.SecretAccessKey);
                }

                location.AccessKeyId = keyId;
                location.ProfileName = null;
                break;
            default:
                return Refusal.Invalid("credential_source is default, profile or keys");
        }

        location.Name = name;
        location.EndpointUrl = endpoint;
        location.Region = region;
        location.AddressingStyle = addressing;
        location.CredentialSource = source;
        return null;
    }

    /// <summary>Endpoints compared by scheme, host and port; null (AWS) equals only null.</summary>
    internal static bool SameEndpoint(string? a, string? b) =>
        a is null || b is null
            ? a is null && b is null
            : Uri.TryCreate(a, UriKind.Absolute, out var x) && Uri.TryCreate(b, UriKind.Absolute, out var y)
                ? string.Equals(x.GetLeftPart(UriPartial.Authority), y.GetLeftPart(UriPartial.Authority), StringComparison.OrdinalIgnoreCase)
                : string.Equals(a, b, StringComparison.OrdinalIgnoreCase);

    private static bool ValidPattern(string pattern) =>
        pattern.EndsWith("-*", StringComparison.Ordinal)
            ? pattern.Length >= 5 && PatternPrefix().IsMatch(pattern[..^1])
            : BucketName().IsMatch(pattern);

    /// <summary>True when a bucket matching <paramref name="pattern"/> could be <paramref name="bucket"/>.</summary>
    private static bool Matches(string pattern, string bucket) =>
        new StorageGrant { BucketPattern = pattern }.Covers(bucket);

    [GeneratedRegex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")]
    private static partial Regex BucketName();

    [GeneratedRegex("^[a-z0-9][a-z0-9.-]{1,61}-$")]
    private static partial Regex PatternPrefix();

    [GeneratedRegex("^[a-z0-9-]{2,40}$")]
    private static partial Regex RegionName();
}
