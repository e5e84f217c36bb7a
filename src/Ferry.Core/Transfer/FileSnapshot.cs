namespace Ferry.Core.Transfer;

/// <summary>Size and modification time of a local file at one moment; two differing snapshots mean the file changed.</summary>
internal readonly record struct FileSnapshot(long Size, long MtimeTicks)
{
    /// <summary>Reads the file's state now; throws <see cref="FileNotFoundException"/> when it is gone.</summary>
    public static FileSnapshot Take(string path)
    {
        var info = new FileInfo(path);
        if (!info.Exists)
        {
            throw new FileNotFoundException($"{path} disappeared before it was uploaded", path);
        }

        return new FileSnapshot(info.Length, info.LastWriteTimeUtc.Ticks);
    }
}
