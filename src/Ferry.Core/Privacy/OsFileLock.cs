using System.Runtime.InteropServices;

namespace Ferry.Core.Privacy;

/// <summary>
/// A shared or exclusive operating-system lock on one file, released when it is disposed or the process ends in any
/// way (a crash, SIGKILL), so it never goes stale: the file's share mode (Windows) and flock(2) taken here (Linux,
/// macOS) — the CLI turns off the flock() .NET takes itself (System.IO.DisableFileLocking), as
/// <see cref="Journal.TransferLock"/> explains.
/// </summary>
internal sealed partial class OsFileLock : IDisposable
{
    private const int LockShared = 1;
    private const int LockExclusive = 2;
    private const int LockNonBlocking = 4;

    private readonly FileStream _file;

    private OsFileLock(FileStream file) => _file = file;

    /// <summary>Takes the lock, or returns null when another holder's lock excludes it. Throws when the file cannot be opened at all.</summary>
    public static OsFileLock? TryTake(string path, bool exclusive, FileMode mode = FileMode.OpenOrCreate)
    {
        FileStream file;
        try
        {
            file = new FileStream(path, mode, FileAccess.ReadWrite, exclusive ? FileShare.None : FileShare.ReadWrite | FileShare.Delete);
        }
        catch (IOException ex) when (ex is not FileNotFoundException and not DirectoryNotFoundException)
        {
            return null; // the holder's share mode (Windows, or .NET's own flock where it is on) refuses the open
        }

        if (!OperatingSystem.IsWindows() && Flock((int)file.SafeFileHandle.DangerousGetHandle(), (exclusive ? LockExclusive : LockShared) | LockNonBlocking) != 0)
        {
            file.Dispose();
            return null;
        }

        return new OsFileLock(file);
    }

    public void Dispose() => _file.Dispose();

    /// <summary>flock(2): LOCK_SH = 1, LOCK_EX = 2, LOCK_NB = 4 on Linux and macOS alike; 0 when taken, -1 when held elsewhere.</summary>
    [LibraryImport("libc", EntryPoint = "flock", SetLastError = true)]
    private static partial int Flock(int fd, int operation);
}
