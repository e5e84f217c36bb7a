using System.Runtime.InteropServices;

namespace Ferry.Core.Transfer;

/// <summary>
/// Reads an entry's type without opening it (opening a FIFO would block) and, for a regular file, its size and time,
/// all from one status read.
/// </summary>
internal static partial class FileKindProbe
{
    public static FileKind Probe(string path) =>
        OperatingSystem.IsLinux() || OperatingSystem.IsMacOS() ? ReadStatus(path).Kind : FallbackProbe(path);

    /// <summary>
    /// An entry's kind without following a link and, for a regular file, its size and last write time (UTC ticks, as
    /// <see cref="FileSystemInfo.LastWriteTimeUtc"/> gives them), from one status read.
    /// </summary>
    public static (FileKind Kind, long Size, long LastWriteTicks) Read(string path)
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS())
        {
            return FallbackRead(path);
        }

        var read = ReadStatus(path);
        if (read.Kind != FileKind.Regular)
        {
            return read;
        }

        return Volatile.Read(ref _layout) switch
        {
            LayoutConfirmed => read,
            LayoutDiffers => FallbackRead(path),
            _ => ConfirmLayout(path, read),
        };
    }

    /// <summary>The status read alone (Linux and macOS), without <see cref="Read"/>'s once-per-process comparison: what the tests hold against FileInfo.</summary>
    internal static (FileKind Kind, long Size, long LastWriteTicks) ReadStatus(string path)
    {
        // The runtime's own native shim (libSystem.Native, shipped with every .NET on Unix) fills a FileStatus:
        // Flags and Mode (int32 each; Mode carries S_IFMT), Uid and Gid, then Size at byte 16 and MTime and MTimeNsec
        // (int64 each) at bytes 40 and 48. FileKindProbeTests compares every field read here with FileInfo's.
        Span<byte> status = stackalloc byte[256];
        if (LStat(path, ref MemoryMarshal.GetReference(status)) != 0)
        {
            return File.Exists(path) || Directory.Exists(path) ? FallbackRead(path) : (FileKind.Missing, 0, 0);
        }

        var mode = BitConverter.ToInt32(status[4..8]);
        var kind = (mode & 0xF000) switch
        {
            0x8000 => FileKind.Regular,
            0x4000 => FileKind.Directory,
            0xA000 => FileKind.SymbolicLink,
            0x1000 => FileKind.Fifo,
            0xC000 => FileKind.Socket,
            0x2000 => FileKind.CharacterDevice,
            0x6000 => FileKind.BlockDevice,
            _ => FileKind.Unknown,
        };
        if (kind != FileKind.Regular)
        {
            return (kind, 0, 0);
        }

        // The runtime's own conversion: the Unix seconds, plus the nanoseconds in whole ticks.
        var seconds = BitConverter.ToInt64(status[40..48]);
        var nanoseconds = BitConverter.ToInt64(status[48..56]);
        return (kind, BitConverter.ToInt64(status[16..24]), DateTimeOffset.FromUnixTimeSeconds(seconds).AddTicks(nanoseconds / 100).UtcTicks);
    }

    private const int LayoutConfirmed = 1;
    private const int LayoutDiffers = -1;

    /// <summary>Whether the status read agreed with <see cref="FileInfo"/> on the first regular file (0: not compared yet).</summary>
    private static int _layout;

    /// <summary>
    /// Compares the first regular file's size and time with <see cref="FileInfo"/>'s, once per process: a runtime whose
    /// FileStatus differs from the one these offsets were written for falls back to FileInfo, slower but right. (A file
    /// changed between the two reads also counts as a difference; that costs speed only.)
    /// </summary>
    private static (FileKind Kind, long Size, long LastWriteTicks) ConfirmLayout(string path, (FileKind Kind, long Size, long LastWriteTicks) read)
    {
        var fallback = FallbackRead(path);
        Volatile.Write(ref _layout, fallback == read ? LayoutConfirmed : LayoutDiffers);
        return fallback;
    }

    private static (FileKind Kind, long Size, long LastWriteTicks) FallbackRead(string path)
    {
        var kind = FallbackProbe(path);
        if (kind != FileKind.Regular)
        {
            return (kind, 0, 0);
        }

        var info = new FileInfo(path);
        return info.Exists ? (kind, info.Length, info.LastWriteTimeUtc.Ticks) : (FileKind.Missing, 0, 0);
    }

    private static FileKind FallbackProbe(string path)
    {
        var info = new FileInfo(path);
        if (info.LinkTarget is not null)
        {
            return FileKind.SymbolicLink;
        }

        return info.Exists ? FileKind.Regular : Directory.Exists(path) ? FileKind.Directory : FileKind.Missing;
    }

    [LibraryImport("libSystem.Native", EntryPoint = "SystemNative_LStat", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int LStat(string path, ref byte status);
}
