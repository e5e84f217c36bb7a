namespace Ferry.Core.Duplicates;

/// <summary>
/// Thrown by an upload, before any byte is sent, when the destination already holds the file's bytes under
/// <see cref="DuplicateOf"/> and the run skips duplicates; the engine records the file as a duplicate, not a failure.
/// </summary>
public sealed class DuplicateContentException(string duplicateOf, string sha256, long size)
    : Exception($"duplicate of {duplicateOf}")
{
    public string DuplicateOf { get; } = duplicateOf;

    public string Sha256 { get; } = sha256;

    public long Size { get; } = size;
}
