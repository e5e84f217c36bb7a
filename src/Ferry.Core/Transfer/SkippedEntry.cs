namespace Ferry.Core.Transfer;

/// <summary>Something under the source that is not uploaded, and why (symlink, FIFO, unreadable folder, name that cannot be a key).</summary>
public sealed record SkippedEntry(string RelativePath, string Reason);
