namespace Ferry.Core.Duplicates;

/// <summary>
/// A destination's content index: which key already holds given bytes (size and SHA-256). The upload engine asks it
/// once per file, right after it has hashed the file and before any byte is sent, so a duplicate costs no upload.
/// A store that keeps its own index (a Ferry server session) implements this itself; otherwise the engine uses the
/// journal's (<see cref="JournalContentIndex"/>).
/// </summary>
public interface IContentIndex
{
    /// <summary>
    /// The key under which the destination holds exactly these bytes, other than <paramref name="key"/>; null when
    /// none is known (or still there). Never throws for "not found"; store errors propagate.
    /// </summary>
    /// <param name="key">Where the file is about to go.</param>
    /// <param name="size">The file's size in bytes.</param>
    /// <param name="sha256">The file's SHA-256, lower-case hex.</param>
    /// <param name="skip">True when the caller will not upload a duplicate (--skip-duplicates): an index that records decisions records it.</param>
    Task<string?> FindDuplicateAsync(string key, long size, string sha256, bool skip, CancellationToken cancellationToken);
}
