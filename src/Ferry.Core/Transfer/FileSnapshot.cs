namespace Ferry.Core.Transfer;

/// <summary>Size and modification time of a local file at one moment; two differing snapshots mean the file changed.</summary>
internal readonly record struct FileSnapshot(long Size, long MtimeTicks)
{
    /// <summary>Reads the file's state now (through a symbolic link, to its target); throws <see cref="FileNotFoundException"/> when it is gone.</summary>
    public static FileSnapshot Take(string path)
    {
        // One status read, as the scan reads each file (FileInfo would add a look-up of the user per call).
        var (kind, size, lastWriteTicks) = FileKindProbe.Read(path);
        if (kind == FileKind.Regular)
        {
            return new FileSnapshot(size, lastWriteTicks);
        }

        var info = new FileInfo(path);
        if (kind != FileKind.SymbolicLink || !info.Exists)
        {
            throw new FileNotFoundException($"{path} disappeared before it was uploaded", path);
        }

        return new FileSnapshot(info.Length, info.LastWriteTimeUtc.Ticks);
    }
}
