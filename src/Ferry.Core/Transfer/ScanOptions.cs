namespace Ferry.Core.Transfer;

/// <summary>How <see cref="SourceScanner"/> walks a folder.</summary>
public sealed record ScanOptions
{
    /// <summary>Which relative paths to take; default all.</summary>
    public PathFilter Filter { get; init; } = PathFilter.All;

    /// <summary>Follow symbolic links to files and folders (with loop detection). Default false: links are skipped and reported.</summary>
    public bool FollowSymlinks { get; init; }

    /// <summary>The key prefix files will go under, so that names too long for a key are reported while scanning.</summary>
    public string KeyPrefix { get; init; } = "";

    /// <summary>
    /// A folder never entered (the archive folder when it lies inside the source): relative to the current folder
    /// unless absolute; a trailing separator does not matter.
    /// </summary>
    public string? ExcludedPath { get; init; }

    /// <summary>
    /// Throw when a folder cannot be read, instead of reporting it skipped and going on: a listing of a destination
    /// must not miss the files of a folder it could not read. A folder gone since it was found lists nothing.
    /// </summary>
    public bool FailOnUnreadableFolder { get; init; }

    /// <summary>Called for every entry that is not uploaded; must not block.</summary>
    public Action<SkippedEntry>? OnSkipped { get; init; }
}
