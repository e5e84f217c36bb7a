namespace Ferry.Server.Data;

/// <summary>Where an upload through a donation link stands. Stored as its word (<see cref="StoredNames"/>: receiving, processing, done, failed).</summary>
internal enum DonationLinkUploadStatus
{
    /// <summary>Open for chunks.</summary>
    Receiving,

    /// <summary>Complete and claimed by the finish that is reading it into a donation.</summary>
    Processing,

    Done,
    Failed,
}
