namespace Ferry.Core.Storage;

/// <summary>The kinds of store Ferry can talk to.</summary>
public enum StoreScheme
{
    /// <summary>A directory on a local or mounted file system.</summary>
    Local,
    /// <summary>An S3-compatible object store.</summary>
    S3,
}
