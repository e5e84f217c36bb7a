namespace Ferry.Client.Sessions;

/// <summary>How <see cref="SessionUpload.ResumeAsync"/> registers and uploads.</summary>
public sealed record SessionUploadOptions
{
    /// <summary>
    /// Which scanned paths (relative, '/'-separated) to register; the others are counted in
    /// <see cref="SessionUpload.Refused"/> and never sent. Null: every path the scan selects.
    /// </summary>
    public Func<string, bool>? Accept { get; init; }

    /// <summary>The client for the PUTs to presigned URLs (the caller owns it); null: the session store's own.</summary>
    public HttpClient? S3 { get; init; }
}
