using System.Globalization;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;

namespace Ferry.Core.Journal;

/// <summary>
/// One transfer per journal, source and destination at a time: an exclusive operating-system lock on a lock file
/// beside the journal (<c>locks/SHA256(journal, source, destination).lock</c>), held for the run and released by the
/// operating system when the process ends in any way (exit, crash, SIGKILL), so it never goes stale. The holder writes
/// its process id into the file for the refusal message of the next one.
/// </summary>
/// <remarks>
/// The lock is the file's share mode (FileShare.None) and, on Linux and macOS, an exclusive flock() taken here: the CLI
/// turns off the flock() .NET takes on every FileShare.None open (System.IO.DisableFileLocking, for speed), so the share
/// mode alone would not exclude another process there. flock() belongs to the open file: closing it, or the process
/// ending in any way, releases it.
/// </remarks>
public sealed partial class TransferLock : IDisposable
{
    private readonly FileStream _file;

    private TransferLock(FileStream file, string path)
    {
        _file = file;
        Path = path;
    }

    /// <summary>The lock file.</summary>
    public string Path { get; }

    /// <summary>The lock file for this journal, source and destination (the destination as the user named it).</summary>
    public static string PathFor(string journalFile, string source, string destination)
    {
        var identity = string.Join('\n', System.IO.Path.GetFullPath(journalFile), source, destination);
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(identity)));
        return System.IO.Path.Combine(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(journalFile))!, "locks", hash[..32] + ".lock");
    }

    /// <summary>
    /// Takes the lock, or returns null with the holder's process id (null when it could not be read) when another
    /// process holds it. Throws <see cref="IOException"/> or <see cref="UnauthorizedAccessException"/> when the lock
    /// file cannot be created at all.
    /// </summary>
    public static TransferLock? TryAcquire(string lockPath, out int? holder)
    {
        holder = null;
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(lockPath)!);
        FileStream file;
        try
        {
            file = new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException)
        {
            // Windows (and Unix with .NET's flock on): the holder's share mode refuses the open.
            holder = ReadHolder(lockPath);
            return null;
        }

        try
        {
            if (!OperatingSystem.IsWindows() && Flock((int)file.SafeFileHandle.DangerousGetHandle(), LockExclusive | LockNonBlocking) != 0)
            {
                throw new IOException($"the lock file is locked (errno {Marshal.GetLastPInvokeError()})");
            }
        }
        catch (IOException)
        {
            holder = ReadHolder(file);
            file.Dispose();
            return null;
        }

        file.SetLength(0);
        var text = Encoding.ASCII.GetBytes(Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + "\n");
        file.Write(text);
        file.Flush(flushToDisk: false);
        return new TransferLock(file, lockPath);
    }

    /// <summary>Takes the lock, waiting (polling every 200 ms) while another process holds it; <paramref name="waiting"/> is told once, with the holder.</summary>
    public static async Task<TransferLock> AcquireAsync(string lockPath, Action<int?> waiting, CancellationToken cancellationToken)
    {
        var told = false;
        while (true)
        {
            if (TryAcquire(lockPath, out var holder) is { } taken)
            {
                return taken;
            }

            if (!told)
            {
                waiting(holder);
                told = true;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(200), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Releases the lock (closing the file releases it; the file stays for the next run).</summary>
    public void Dispose() => _file.Dispose();

    private const int LockExclusive = 2;
    private const int LockNonBlocking = 4;

    /// <summary>flock(2): LOCK_EX = 2 and LOCK_NB = 4 on Linux and macOS alike; 0 when taken, -1 with errno EWOULDBLOCK when held elsewhere.</summary>
    [LibraryImport("libc", EntryPoint = "flock", SetLastError = true)]
    private static partial int Flock(int fd, int operation);

    private static int? ReadHolder(FileStream file)
    {
        try
        {
            file.Position = 0;
            using var reader = new StreamReader(file, Encoding.ASCII, detectEncodingFromByteOrderMarks: false, leaveOpen: true);
            return int.TryParse(reader.ReadLine(), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) ? pid : null;
        }
        catch (IOException)
        {
            return null;
        }
    }

    private static int? ReadHolder(string lockPath)
    {
        try
        {
            using var file = new FileStream(lockPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            return ReadHolder(file);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
