using System.Runtime.InteropServices;

namespace Ferry.Core.Storage;

/// <summary>
/// Flushes whole Linux file systems with syncfs(2): everything written on the file system that holds a folder, file
/// data and directory entries alike. One call after a batch of writes replaces an fsync per file, which on a journaling
/// file system is a journal commit each. Then <see cref="CheckFile"/> asks each file of the batch for its own write-back
/// error (fdatasync on a file syncfs already cleaned costs no commit), since syncfs reports errors only since Linux 5.8
/// and only once per file system. Only local file systems whose syncfs is known to reach the disk qualify
/// (<see cref="FlushesReliably"/>): on FUSE and network file systems syncfs may return before the data is stored.
/// The runtime has none of these calls, so this calls libc (docs/architecture.md).
/// </summary>
internal static partial class FileSystemFlush
{
    private const int AtCurrentDirectory = -100;
    private const int ReadOnlyCloseOnExec = 0x80000; // O_RDONLY | O_CLOEXEC (x86-64 and arm64 alike); opens a folder as well as a file
    private const int StatBufferSize = 256;
    private const int DeviceMajorOffset = 136; // struct statx: stx_dev_major, then stx_dev_minor (the kernel's fixed layout)
    private const int NoSuchFile = 2; // ENOENT

    /// <summary>
    /// File systems whose syncfs writes the data to disk (linux/magic.h): ext2/3/4, XFS, Btrfs, F2FS, ZFS, overlayfs
    /// (it syncs its upper file system) and tmpfs (memory: nothing to write).
    /// </summary>
    private static readonly HashSet<long> Reliable = [0xEF53, 0x58465342, 0x9123683E, 0xF2F52010, 0x2FC12FC1, 0x794C7630, 0x01021994];

    /// <summary>True where syncfs exists (64-bit Linux).</summary>
    public static bool IsSupported => OperatingSystem.IsLinux() && Environment.Is64BitProcess;

    /// <summary>The device (major, minor) that holds <paramref name="folder"/>, from statx(2).</summary>
    public static ulong DeviceOf(string folder)
    {
        Span<byte> status = stackalloc byte[StatBufferSize];
        if (Statx(AtCurrentDirectory, folder, 0, 0, ref MemoryMarshal.GetReference(status)) != 0)
        {
            throw new IOException($"cannot read the file system of {folder} (errno {Marshal.GetLastPInvokeError()})");
        }

        var major = MemoryMarshal.Read<uint>(status[DeviceMajorOffset..]);
        var minor = MemoryMarshal.Read<uint>(status[(DeviceMajorOffset + 4)..]);
        return ((ulong)major << 32) | minor;
    }

    /// <summary>True when <paramref name="folder"/> lies on a file system whose syncfs is known to reach the disk (statfs(2) f_type).</summary>
    public static bool FlushesReliably(string folder)
    {
        Span<byte> status = stackalloc byte[StatBufferSize];
        return Statfs(folder, ref MemoryMarshal.GetReference(status)) == 0 && Reliable.Contains(MemoryMarshal.Read<long>(status));
    }

    /// <summary>Flushes the file system holding <paramref name="folder"/>; throws <see cref="IOException"/> when it could not.</summary>
    public static void Flush(string folder)
    {
        var fd = Open(folder, ReadOnlyCloseOnExec);
        if (fd < 0)
        {
            throw new IOException($"cannot open {folder} to flush its file system (errno {Marshal.GetLastPInvokeError()})");
        }

        try
        {
            if (SyncFs(fd) != 0)
            {
                throw new IOException($"the file system holding {folder} could not write its data to disk (errno {Marshal.GetLastPInvokeError()})");
            }
        }
        finally
        {
            _ = Close(fd);
        }
    }

    /// <summary>
    /// Makes sure <paramref name="path"/>'s data reached the disk: fdatasync(2) reports a write-back error of the file
    /// that no one has seen yet. A file gone meanwhile (replaced or deleted) has nothing to check.
    /// </summary>
    public static void CheckFile(string path)
    {
        var fd = Open(path, ReadOnlyCloseOnExec);
        if (fd < 0)
        {
            var error = Marshal.GetLastPInvokeError();
            if (error == NoSuchFile)
            {
                return;
            }

            throw new IOException($"cannot open {path} to check it reached the disk (errno {error})");
        }

        try
        {
            if (FDataSync(fd) != 0)
            {
                throw new IOException($"{path} could not be written to disk (errno {Marshal.GetLastPInvokeError()})");
            }
        }
        finally
        {
            _ = Close(fd);
        }
    }

    [LibraryImport("libc", EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Statx(int directoryFd, string path, int flags, uint mask, ref byte status);

    [LibraryImport("libc", EntryPoint = "statfs", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Statfs(string path, ref byte status);

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "syncfs", SetLastError = true)]
    private static partial int SyncFs(int fd);

    [LibraryImport("libc", EntryPoint = "fdatasync", SetLastError = true)]
    private static partial int FDataSync(int fd);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);
}
