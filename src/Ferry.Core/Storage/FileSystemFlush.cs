using System.Runtime.InteropServices;

namespace Ferry.Core.Storage;

/// <summary>
/// Flushes whole Linux file systems with syncfs(2): everything written on the file system that holds a folder, file
/// data and directory entries alike. One call after a batch of writes replaces an fsync per file, which on a journaling
/// file system is a journal commit each. The runtime has no syncfs, so this calls libc (docs/architecture.md).
/// </summary>
internal static partial class FileSystemFlush
{
    private const int AtCurrentDirectory = -100;
    private const int ReadOnly = 0; // O_RDONLY, which opens a folder as well as a file
    private const int StatxBufferSize = 256;
    private const int DeviceMajorOffset = 136; // struct statx: stx_dev_major, then stx_dev_minor (the kernel's fixed layout)

    /// <summary>True where syncfs exists (Linux).</summary>
    public static bool IsSupported => OperatingSystem.IsLinux();

    /// <summary>The device (major, minor) that holds <paramref name="folder"/>, from statx(2).</summary>
    public static ulong DeviceOf(string folder)
    {
        Span<byte> status = stackalloc byte[StatxBufferSize];
        if (Statx(AtCurrentDirectory, folder, 0, 0, ref MemoryMarshal.GetReference(status)) != 0)
        {
            throw new IOException($"cannot read the file system of {folder} (errno {Marshal.GetLastPInvokeError()})");
        }

        var major = MemoryMarshal.Read<uint>(status[DeviceMajorOffset..]);
        var minor = MemoryMarshal.Read<uint>(status[(DeviceMajorOffset + 4)..]);
        return ((ulong)major << 32) | minor;
    }

    /// <summary>Flushes the file system holding <paramref name="folder"/>; throws <see cref="IOException"/> when it could not.</summary>
    public static void Flush(string folder)
    {
        var fd = Open(folder, ReadOnly);
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

    [LibraryImport("libc", EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Statx(int directoryFd, string path, int flags, uint mask, ref byte status);

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "syncfs", SetLastError = true)]
    private static partial int SyncFs(int fd);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);
}
