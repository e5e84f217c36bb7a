namespace Ferry.Client.Contracts;

/// <summary>
/// One sensor folder as the client's checks saw it before the upload: files, bytes, the span of the files' times,
/// how many warnings and up to 10 of them (each up to 500 characters).
/// </summary>
public sealed record SensorFolderCheck(string? Folder, long? Files, long? Bytes, DateTimeOffset? First = null, DateTimeOffset? Last = null, long? Warnings = null, List<string>? Examples = null)
{
    public const int MaximumFolders = 1000;
    public const int MaximumExamples = 10;
    public const int MaximumText = 500;

    /// <summary>Why the list cannot be stored, or null when it can.</summary>
    public static string? Problem(List<SensorFolderCheck>? checks) =>
        checks is null ? null
        : checks.Count > MaximumFolders ? $"checks may describe up to {MaximumFolders:N0} sensor folders"
        : checks.Any(c => c is null || c.Folder is not { Length: > 0 and <= 1024 } || c.Files is not >= 0 || c.Bytes is not >= 0 || c.Warnings is < 0
            || c.Examples is { Count: > MaximumExamples } || c.Examples?.Any(e => e is null || e.Length > MaximumText) == true)
            ? $"each check names its folder (up to 1,024 characters), files and bytes (not negative), and up to {MaximumExamples} warnings of up to {MaximumText} characters"
        : null;
}
