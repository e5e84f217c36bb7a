
namespace Ferry.Server.Donations;

/// <summary>
/// A company admin's donation links: create (the token is returned once and only its hash kept), list, revoke. Every
/// query goes through the tenant filter and names the caller's company.
/// </summary>
internal sealed class DonationLinks(DonationStudy study, TimeProvider time)
{
    /// <summary>The longest a link may stay open, in days.</summary>
    public const int MaximumDays = 366;

    /// <summary>
    /// The most links a company may have open (neither revoked nor expired) at once: what one admin can create is
    /// bounded, and every open link stays on the company's list (<see cref="ListAsync"/> shows this many).
    /// </summary>
    public const int MaximumOpenLinks = 500;

    /// <summary>
    /// The URL donors open: this server's <c>/donate</c> page with the token in the fragment, which browsers never send
    /// to a server (so it is in no request line or log).
    /// </summary>
    public static string DonorUrl(HttpRequest request, string token) => $"{request.Scheme}://{request.Host}{request.PathBase}/donate#{token}";

    /// <summary>Creates a link; returns it with its token (shown once), or the refusal.</summary>
    public async Task<(DonationLink? Link, string? Token, Refusal? Refusal)> CreateAsync(FerryDbContext db, Caller caller, NewDonationLink request, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var label = request.Label?.Trim() ?? "";
        if (label.Length is 0 or > 200)
        {
            return (null, null, Refusal.Invalid("give the link a label of 1 to 200 characters (the study or cohort it is for)"));
        }

        if ((request.PolicyVersion ?? study.Policy.Version) != study.Policy.Version)
        {
            return (null, null, Refusal.Invalid($"the study's consent policy is version {study.Policy.Version}; a link can only be made for the current version"));
        }

        var expires = request.ExpiresAt ?? now.AddDays(30);
        if (expires <= now || expires > now.AddDays(MaximumDays))
        {
            return (null, null, Refusal.Invalid($"expires_at must be in the future and at most {MaximumDays} days away"));
        }

        if (request.MaxBytes is { } bytes && (bytes < 1024 || bytes > study.MaximumBytes))
        {
            return (null, null, Refusal.Invalid($"max_bytes must be 1,024 to {study.MaximumBytes:N0} (Ferry:DonationMaximumBytes)"));
        }

        if (request.MaxDonations is < 1 or > 1_000_000)
        {
            return (null, null, Refusal.Invalid("max_donations must be 1 to 1,000,000"));
        }

        if (!study.IsConfigured)
        {
            return (null, null, Refusal.Conflict("donations are not configured on this server; an operator sets Ferry:DonationDestination"));
        }

        var open = await db.DonationLinks.CountAsync(l => l.CompanyId == caller.CompanyId && l.RevokedAt == null && l.ExpiresAt > now, cancellationToken);
        if (open >= MaximumOpenLinks)
        {
            return (null, null, Refusal.Conflict($"the company already has {MaximumOpenLinks:N0} open donation links, the most it may have; revoke links it no longer uses first"));
        }

        var token = DonationLinkToken.New();
        var link = new DonationLink
        {
            CompanyId = caller.CompanyId, Label = label, TokenHash = DonationLinkToken.Hash(token), PolicyVersion = study.Policy.Version, ExpiresAt = expires,
            MaxBytes = request.MaxBytes ?? study.MaximumBytes, MaxDonations = request.MaxDonations ?? 1000, CreatedBy = caller.UserId, CreatedAt = now,
        };
        db.DonationLinks.Add(link);
        await db.SaveChangesAsync(cancellationToken);
        return (link, token, null);
    }

    [System.Diagnostics.CodeAnalysis.SuppressMessage("Performance", "CA1822", Justification = "Part of the service the endpoints receive by injection.")]
    public Task<List<DonationLink>> ListAsync(FerryDbContext db, Caller caller, CancellationToken cancellationToken) =>
        db.DonationLinks.AsNoTracking().Where(l => l.CompanyId == caller.CompanyId).OrderByDescending(l => l.Id).Take(MaximumOpenLinks).ToListAsync(cancellationToken);

    /// <summary>Revokes a link of the caller's company (at once: its next call is refused); null when there is no such link.</summary>
    public async Task<DonationLink?> RevokeAsync(FerryDbContext db, Caller caller, long id, CancellationToken cancellationToken)
    {
        var link = await db.DonationLinks.FirstOrDefaultAsync(l => l.Id == id && l.CompanyId == caller.CompanyId, cancellationToken);
        if (link is null)
        {
            return null;
        }

        link.RevokedAt ??= time.GetUtcNow();
        await db.SaveChangesAsync(cancellationToken);
        return link;
    }
}

/// <summary>A new link: label (the study or cohort), policy version (the current one), expiry (default 30 days), upload limits.</summary>
internal sealed record NewDonationLink(string? Label, string? PolicyVersion, DateTimeOffset? ExpiresAt, long? MaxBytes, int? MaxDonations);
