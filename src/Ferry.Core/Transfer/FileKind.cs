namespace Ferry.Core.Transfer;

/// <summary>The type of a directory entry, read with lstat (so a symlink is reported as a symlink).</summary>
internal enum FileKind
{
    Regular,
    Directory,
    SymbolicLink,
    Fifo,
    Socket,
    CharacterDevice,
    BlockDevice,
    Missing,
    Unknown,
}
