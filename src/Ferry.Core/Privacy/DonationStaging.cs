namespace Ferry.Core.Privacy;

/// <summary>
/// The folders a donation builds its bundle in (<c>STAGING/RANDOM/</c>: pseudonymized parts, the zip). Each holds
/// <c>.in-use</c>, locked by its donation while it runs; a folder whose lock nobody holds was left by a crash (a kill,
/// a power cut) and is removed by <see cref="CleanAbandoned"/>, which every donation, every erasure and the server's
/// start-up run first.
/// </summary>
public sealed class DonationStaging : IDisposable
{
    public const string InUseFile = ".in-use";

    private readonly OsFileLock _inUse;

    private DonationStaging(string folder, OsFileLock inUse)
    {
        Folder = folder;
        _inUse = inUse;
    }

    public string Folder { get; }

    /// <summary>A new staging folder under <paramref name="root"/>, locked as in use until disposed (then deleted).</summary>
    public static DonationStaging Create(string root)
    {
        for (var attempt = 0; ; attempt++)
        {
            var folder = Path.Combine(root, Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(folder);
            try
            {
                return new DonationStaging(folder, OsFileLock.TryTake(Path.Combine(folder, InUseFile), exclusive: true, FileMode.CreateNew)
                    ?? throw new IOException($"cannot lock the new staging folder {folder}"));
            }
            catch (DirectoryNotFoundException) when (attempt < 3)
            {
                // Another process's clean-up took the folder before its lock existed: take a new one.
            }
        }
    }

    /// <summary>
    /// Deletes every folder under <paramref name="root"/> whose <c>.in-use</c> lock no running process holds (or that has
    /// none); returns how many it deleted.
    /// </summary>
    public static int CleanAbandoned(string root)
    {
        if (!Directory.Exists(root))
        {
            return 0;
        }

        var removed = 0;
        foreach (var folder in Directory.EnumerateDirectories(root))
        {
            var marker = Path.Combine(folder, InUseFile);
            if (File.Exists(marker))
            {
                using var probe = OsFileLock.TryTake(marker, exclusive: true, FileMode.Open);
                if (probe is null)
                {
                    continue; // a running donation holds it
                }
            }

            try
            {
                Directory.Delete(folder, recursive: true);
                removed++;
            }
            catch (DirectoryNotFoundException)
            {
            }
        }

        return removed;
    }

    public void Dispose()
    {
        _inUse.Dispose();
        if (Directory.Exists(Folder))
        {
            Directory.Delete(Folder, recursive: true);
        }
    }
}
