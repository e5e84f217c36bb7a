namespace Ferry.Core.Bundles;

/// <summary>
/// An exclusive claim on one outbox entry, held as an OS file lock (<c>flock</c>) so that two processes
/// (a CLI flush and the server's retry, say) never deliver the same bundle at once. A killed process
/// loses its claims with its file handles. Dispose to release.
/// </summary>
public sealed class OutboxClaim : IDisposable
{
    private readonly FileStream _lock;

    internal OutboxClaim(FileStream lockFile, string name)
    {
        _lock = lockFile;
        Name = name;
    }

    /// <summary>The claimed folder's name (a bundle, or a staging folder).</summary>
    public string Name { get; }

    /// <summary>Takes the lock for <paramref name="name"/> in <paramref name="locks"/>; null when another process holds it.</summary>
    internal static OutboxClaim? TryTake(string locks, string name)
    {
        Directory.CreateDirectory(locks);
        try
        {
            var file = new FileStream(Path.Combine(locks, name + ".lock"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            return new OutboxClaim(file, name);
        }
        catch (IOException)
        {
            return null;
        }
    }

    public void Dispose() => _lock.Dispose();
}
