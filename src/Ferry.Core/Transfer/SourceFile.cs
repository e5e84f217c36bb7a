namespace Ferry.Core.Transfer;

/// <summary>A regular file found under the source folder.</summary>
/// <param name="RelativePath">Path below the source root with '/' separators, the name's characters unchanged.</param>
/// <param name="FullPath">Absolute path on this machine.</param>
/// <param name="Size">Size in bytes when it was scanned.</param>
/// <param name="LastWriteTicks">Modification time when it was scanned, in UTC ticks (100 ns).</param>
public sealed record SourceFile(string RelativePath, string FullPath, long Size, long LastWriteTicks)
{
    public DateTimeOffset LastWriteUtc => new(LastWriteTicks, TimeSpan.Zero);
}
