using System.Text.Json;

namespace Ferry.Core.Bundles;

/// <summary>
/// A folder of bundles waiting for delivery, durable across crashes. A bundle is built in a hidden staging folder
/// and renamed into place only when complete (files, checksums, reports, descriptor), so every visible entry is
/// whole and self-describing; it leaves only after its delivery was verified, by a rename to a hidden folder that
/// is then deleted. Hidden folders left by a killed process are removed by the next <see cref="List"/>, unless
/// some live process still holds their claim.
/// </summary>
public sealed class Outbox
{
    /// <summary>The hidden folder inside each bundle with Ferry's own state (descriptor, file list); never uploaded.</summary>
    public const string StateFolder = ".ferry";

    internal const string DescriptorName = "bundle.json";
    internal const string FilesName = "files.jsonl";
    private const string StagingPrefix = ".staging-";
    private const string RemovingPrefix = ".removing-";

    public Outbox(string directory)
    {
        Directory = Path.GetFullPath(directory);
    }

    /// <summary>The default outbox: <c>outbox/</c> in Ferry's data directory.</summary>
    public static string DefaultDirectory => Path.Combine(FerryPaths.DataDirectory, "outbox");

    public string Directory { get; }

    private string Locks => Path.Combine(Directory, ".locks");

    /// <summary>The complete bundles waiting, oldest first. Removes leftovers of killed processes on the way.</summary>
    public IReadOnlyList<OutboxBundle> List()
    {
        if (!System.IO.Directory.Exists(Directory))
        {
            return [];
        }

        var bundles = new List<OutboxBundle>();
        foreach (var folder in System.IO.Directory.EnumerateDirectories(Directory))
        {
            var name = Path.GetFileName(folder);
            if (name.StartsWith(StagingPrefix, StringComparison.Ordinal) || name.StartsWith(RemovingPrefix, StringComparison.Ordinal))
            {
                RemoveAbandoned(folder, name);
            }
            else if (!name.StartsWith('.') && ReadDescriptor(folder) is { } descriptor)
            {
                bundles.Add(new OutboxBundle(folder, descriptor));
            }
        }

        return bundles.OrderBy(b => b.Descriptor.CreatedAt).ThenBy(b => b.Folder, StringComparer.Ordinal).ToList();
    }

    /// <summary>Claims a bundle for delivery; null when another process is delivering it.</summary>
    public OutboxClaim? TryClaim(OutboxBundle bundle) => OutboxClaim.TryTake(Locks, bundle.Folder);

    /// <summary>Saves a new descriptor for a bundle (write to a temporary file, flush, rename).</summary>
    public static OutboxBundle Save(OutboxBundle bundle, BundleDescriptor descriptor)
    {
        WriteDescriptor(bundle.Directory, descriptor);
        return bundle with { Descriptor = descriptor };
    }

    /// <summary>Takes a delivered bundle out of the outbox: one rename makes it invisible, then it is deleted.</summary>
    public void Remove(OutboxBundle bundle, OutboxClaim claim)
    {
        if (claim.Name != bundle.Folder)
        {
            throw new InvalidOperationException("the claim is for another bundle");
        }

        var removing = Path.Combine(Directory, RemovingPrefix + Guid.NewGuid().ToString("N"));
        System.IO.Directory.Move(bundle.Directory, removing);
        System.IO.Directory.Delete(removing, recursive: true);
        DeleteLock(claim.Name);
    }

    /// <summary>Removes a bundle that will not be delivered (a download-only export, once zipped); false when another process holds it.</summary>
    public bool Discard(OutboxBundle bundle)
    {
        using var claim = TryClaim(bundle);
        if (claim is null)
        {
            return false;
        }

        Remove(bundle, claim);
        return true;
    }

    /// <summary>A new hidden staging folder, claimed by the caller until it is committed or abandoned.</summary>
    internal (string Path, OutboxClaim Claim) BeginStaging()
    {
        var name = StagingPrefix + Guid.NewGuid().ToString("N");
        var claim = OutboxClaim.TryTake(Locks, name) ?? throw new IOException($"cannot lock a new staging folder in {Directory}");
        var path = System.IO.Path.Combine(Directory, name);
        System.IO.Directory.CreateDirectory(System.IO.Path.Combine(path, StateFolder));
        return (path, claim);
    }

    /// <summary>Moves a complete staging folder into place under <paramref name="folder"/>; false when that name is taken.</summary>
    internal bool TryCommit(string staging, string folder)
    {
        var target = Path.Combine(Directory, folder);
        if (System.IO.Directory.Exists(target))
        {
            return false;
        }

        try
        {
            System.IO.Directory.Move(staging, target);
            DeleteLock(Path.GetFileName(staging));
            return true;
        }
        catch (IOException) when (System.IO.Directory.Exists(target))
        {
            return false;
        }
    }

    /// <summary>Deletes a staging folder after a failure; the caller still holds its claim.</summary>
    internal void Abandon(string staging, OutboxClaim claim)
    {
        try
        {
            if (System.IO.Directory.Exists(staging))
            {
                System.IO.Directory.Delete(staging, recursive: true);
            }

            DeleteLock(claim.Name);
        }
        catch (IOException)
        {
            // Left for the next List to remove.
        }
    }

    /// <summary>Deletes a lock file whose folder is gone; the caller holds the lock.</summary>
    private void DeleteLock(string name)
    {
        try
        {
            File.Delete(Path.Combine(Locks, name + ".lock"));
        }
        catch (IOException)
        {
            // Harmless: an empty file.
        }
    }

    internal static void WriteDescriptor(string bundleDirectory, BundleDescriptor descriptor)
    {
        var path = Path.Combine(bundleDirectory, StateFolder, DescriptorName);
        var temporary = path + ".tmp";
        using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            JsonSerializer.Serialize(stream, descriptor, BundleJson.Default.BundleDescriptor);
            stream.Flush(flushToDisk: true);
        }

        File.Move(temporary, path, overwrite: true);
    }

    internal static BundleDescriptor? ReadDescriptor(string bundleDirectory)
    {
        var path = Path.Combine(bundleDirectory, StateFolder, DescriptorName);
        try
        {
            using var stream = File.OpenRead(path);
            return JsonSerializer.Deserialize(stream, BundleJson.Default.BundleDescriptor);
        }
        catch (Exception ex) when (ex is IOException or JsonException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private void RemoveAbandoned(string folder, string name)
    {
        using var claim = OutboxClaim.TryTake(Locks, name);
        if (claim is null)
        {
            return; // a live process is still building or removing it
        }

        try
        {
            System.IO.Directory.Delete(folder, recursive: true);
            DeleteLock(name);
        }
        catch (IOException)
        {
            // Tried again by the next List.
        }
    }
}
