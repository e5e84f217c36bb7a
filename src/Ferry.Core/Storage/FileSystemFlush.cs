using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Ferry.Core.Storage;

/// <summary>
/// Flushes whole Linux file systems with syncfs(2): everything written on the file system that holds a folder, file
/// data and directory entries alike. One call after a batch of writes replaces an fsync per file, which on a journaling
/// file system is a journal commit each. syncfs reports a write-back error that happened since its descriptor was
/// opened (Linux 5.8 and later, <see cref="IsSupported"/>), so the caller opens one descriptor per file system before
/// its first deferred write there (<see cref="OpenForFlush"/>) and flushes through it. Only local file systems whose
/// syncfs is known to reach the disk qualify (<see cref="FlushesReliably"/>): on FUSE and network file systems syncfs
/// may return before the data is stored. The runtime has none of these calls, so this calls libc (docs/architecture.md).
/// </summary>
internal static partial class FileSystemFlush
{
    private const int AtCurrentDirectory = -100;
    private const int AtEmptyPath = 0x1000; // statx of the descriptor itself
    private const int ReadOnlyCloseOnExec = 0x80000; // O_RDONLY | O_CLOEXEC (x86-64 and arm64 alike); opens a folder as well as a file
    private const int StatBufferSize = 256;
    private const int DeviceMajorOffset = 136; // struct statx: stx_dev_major, then stx_dev_minor (the kernel's fixed layout)

    /// <summary>
    /// File systems whose syncfs writes the data to disk (linux/magic.h): ext2/3/4, XFS, Btrfs, F2FS, ZFS, overlayfs
    /// (it syncs its upper file system) and tmpfs (memory: nothing to write).
    /// </summary>
    private static readonly HashSet<long> Reliable = [0xEF53, 0x58465342, 0x9123683E, 0xF2F52010, 0x2FC12FC1, 0x794C7630, 0x01021994];

    /// <summary>True where syncfs exists and reports write-back errors: 64-bit Linux 5.8 or later.</summary>
    public static bool IsSupported => OperatingSystem.IsLinux() && Environment.Is64BitProcess && Environment.OSVersion.Version >= new Version(5, 8);

    /// <summary>The device (major, minor) that holds <paramref name="folder"/>, from statx(2).</summary>
    public static ulong DeviceOf(string folder) => ReadDevice(AtCurrentDirectory, folder, 0, folder);

    /// <summary>The device (major, minor) that holds the open <paramref name="file"/> (statx(2) of its descriptor); <paramref name="path"/> names it in an error.</summary>
    public static ulong DeviceOf(SafeFileHandle file, string path)
    {
        var added = false;
        try
        {
            file.DangerousAddRef(ref added);
            return ReadDevice((int)file.DangerousGetHandle(), "", AtEmptyPath, path);
        }
        finally
        {
            if (added)
            {
                file.DangerousRelease();
            }
        }
    }

    private static ulong ReadDevice(int directoryFd, string path, int flags, string describedAs)
    {
        Span<byte> status = stackalloc byte[StatBufferSize];
        if (Statx(directoryFd, path, flags, 0, ref MemoryMarshal.GetReference(status)) != 0)
        {
            throw new IOException($"cannot read the file system of {describedAs} (errno {Marshal.GetLastPInvokeError()})");
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

    /// <summary>
    /// A descriptor of <paramref name="folder"/> to flush its file system through; a flush through it reports every
    /// write-back error since this call. It stays open for the life of the process that asked for it.
    /// </summary>
    public static int OpenForFlush(string folder)
    {
        var fd = Open(folder, ReadOnlyCloseOnExec);
        return fd >= 0 ? fd : throw new IOException($"cannot open {folder} to flush its file system (errno {Marshal.GetLastPInvokeError()})");
    }

    /// <summary>Flushes the file system of <paramref name="fd"/> (from <see cref="OpenForFlush"/>); throws <see cref="IOException"/> when it could not.</summary>
    public static void Flush(int fd, string folder)
    {
        if (SyncFs(fd) != 0)
        {
            throw new IOException($"the file system holding {folder} could not write its data to disk (errno {Marshal.GetLastPInvokeError()})");
        }
    }

    /// <summary>Flushes the file system holding <paramref name="folder"/> through a descriptor opened for this call only.</summary>
    public static void Flush(string folder)
    {
        var fd = OpenForFlush(folder);
        try
        {
            Flush(fd, folder);
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

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);
}
