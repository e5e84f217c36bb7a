namespace Ferry.Server.Data;

/// <summary>
/// A donation link (<c>donation_links</c>): a company's invitation to donate without an account or S3 keys. Only the
/// SHA-256 of its secret token is stored; the token is shown once, when the link is created.
/// </summary>
internal sealed class DonationLink : CompanyOwned
{
    public long Id { get; set; }
    public required string Label { get; set; }
    public required string TokenHash { get; set; }
    public required string PolicyVersion { get; set; }
    public DateTimeOffset ExpiresAt { get; set; }

    /// <summary>The largest bundle one donation may upload, in bytes.</summary>
    public long MaxBytes { get; set; }

    /// <summary>How many donations the link accepts in all.</summary>
    public int MaxDonations { get; set; }

    /// <summary>Donations accepted (or being processed) so far.</summary>
    public int Donations { get; set; }
    public long CreatedBy { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? RevokedAt { get; set; }
}
