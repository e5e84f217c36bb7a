using System.Runtime.InteropServices;

namespace Ferry.Core.Transfer;

/// <summary>Reads an entry's type without opening it (opening a FIFO would block).</summary>
internal static partial class FileKindProbe
{
    public static FileKind Probe(string path)
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS())
        {
            return FallbackProbe(path);
        }

        // The runtime's own native shim (libSystem.Native, shipped with every .NET on Unix) fills a
        // FileStatus whose first two fields are Flags and Mode (int32 each); Mode carries S_IFMT.
        Span<byte> status = stackalloc byte[256];
        if (LStat(path, ref MemoryMarshal.GetReference(status)) != 0)
        {
            return File.Exists(path) || Directory.Exists(path) ? FallbackProbe(path) : FileKind.Missing;
        }

        var mode = BitConverter.ToInt32(status[4..8]);
        return (mode & 0xF000) switch
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
