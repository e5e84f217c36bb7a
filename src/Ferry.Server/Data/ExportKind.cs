namespace Ferry.Server.Data;

/// <summary>Where an export goes. Stored and requested as its word (<see cref="StoredNames"/>: s3, download).</summary>
internal enum ExportKind
{
    /// <summary>Delivered to the project's bucket (and downloadable as a zip).</summary>
    S3,

    /// <summary>Built as a zip to download only.</summary>
    Download,
}
