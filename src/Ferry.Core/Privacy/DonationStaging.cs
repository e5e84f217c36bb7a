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

    private readonly FileStream _inUse;

    private DonationStaging(string folder, FileStream inUse)
    {
        Folder = folder;
        _inUse = inUse;
    }

    public string Folder { get; }

    /// <summary>A new staging folder under <paramref name="root"/>, locked as in use until disposed (then deleted).</summary>
    public static DonationStaging Create(string root)
    {
        var folder = Path.Combine(root, Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        return new DonationStaging(folder, new FileStream(Path.Combine(folder, InUseFile), FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None));
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
            try
            {
                if (File.Exists(marker))
                {
                    using var probe = new FileStream(marker, FileMode.Open, FileAccess.ReadWrite, FileShare.None);
                }
            }
            catch (IOException)
            {
                continue; // a running donation holds it
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
