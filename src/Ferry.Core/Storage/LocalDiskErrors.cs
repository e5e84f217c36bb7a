namespace Ferry.Core.Storage;

/// <summary>Recognizes local disk failures that no retry can fix.</summary>
public static class LocalDiskErrors
{
    /// <summary>True for "no space left on device" (ENOSPC on Unix, ERROR_DISK_FULL on Windows).</summary>
    public static bool IsDiskFull(IOException exception) => exception.HResult is 28 or unchecked((int)0x80070070);
}
