namespace Ferry.Server.Data;

/// <summary>
/// One resumable upload of a bundle through a donation link (<c>donation_link_uploads</c>): its declared length and
/// SHA-256, the policy version the donor agreed to, and its <see cref="DonationLinkUploadStatus"/>. The bytes received so far are the length of its file in the data directory.
/// </summary>
internal sealed class DonationLinkUpload : CompanyOwned
{
    public required string Id { get; set; }
    public long LinkId { get; set; }
    public long Length { get; set; }
    public string? Sha256 { get; set; }
    public required string ConsentVersion { get; set; }
    public required DonationLinkUploadStatus Status { get; set; }
    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>
    /// Keyed markers (space-separated) of donors erased while this upload was open; the finish refuses the upload when
    /// its donor's marker is here (<c>DonationLinkIntake.ErasureMarker</c>). Null when none; cleared when the upload ends.
    /// </summary>
    public string? ErasedDonors { get; set; }
}
