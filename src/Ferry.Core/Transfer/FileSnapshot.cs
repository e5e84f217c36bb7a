namespace Ferry.Core.Transfer;

/// <summary>Size and modification time of a local file at one moment; two differing snapshots mean the file changed.</summary>
internal readonly record struct FileSnapshot(long Size, long MtimeTicks)
{
    /// <summary>
    /// Reads the file's state now (through a symbolic link, its target's); throws <see cref="FileNotFoundException"/> when
    /// it is gone or is no longer a regular file.
    /// </summary>
    public static FileSnapshot Take(string path)
    {
        if (OperatingSystem.IsLinux() || OperatingSystem.IsMacOS())
        {
            // The single lstat the scan uses too (FileInfo would also look up the user, a geteuid per call).
            var (kind, size, lastWriteTicks) = FileKindProbe.Read(path);
            if (kind == FileKind.Regular)
            {
                return new FileSnapshot(size, lastWriteTicks);
            }

            if (kind != FileKind.SymbolicLink)
            {
                throw new FileNotFoundException($"{path} disappeared or is no longer a regular file; it was not uploaded", path);
            }
        }

        var info = new FileInfo(path);
        if (!info.Exists)
        {
            throw new FileNotFoundException($"{path} disappeared before it was uploaded", path);
        }

        return new FileSnapshot(info.Length, info.LastWriteTimeUtc.Ticks);
    }
}
