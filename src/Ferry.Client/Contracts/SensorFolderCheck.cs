namespace Ferry.Client.Contracts;

/// <summary>
/// One sensor folder as the client's checks saw it before the upload: files, bytes, the span of its times,
/// how many warnings and up to 10 of them (each up to 500 characters).
/// </summary>
/// <param name="Times">
/// Whose times <paramref name="First"/> and <paramref name="Last"/> are: <c>capture</c> (the devices' capture times, their
/// wall clock written as if UTC, since the zone is often unknown) or <c>file</c> (the files' modification times, UTC);
/// null is read as <c>file</c>.
/// </param>
public sealed record SensorFolderCheck(string? Folder, long? Files, long? Bytes, DateTimeOffset? First = null, DateTimeOffset? Last = null, long? Warnings = null, List<string>? Examples = null, string? Times = null)
{
    public const string CaptureTimes = "capture";
    public const string FileTimes = "file";

    public const int MaximumFolders = 1000;
    public const int MaximumExamples = 10;
    public const int MaximumText = 500;

    /// <summary>Why the list cannot be stored, or null when it can.</summary>
    public static string? Problem(List<SensorFolderCheck>? checks) =>
        checks is null ? null
        : checks.Count > MaximumFolders ? $"checks may describe up to {MaximumFolders:N0} sensor folders"
        : checks.Any(c => c is null || c.Folder is not { Length: > 0 and <= 1024 } || c.Files is not >= 0 || c.Bytes is not >= 0 || c.Warnings is < 0
            || c.Examples is { Count: > MaximumExamples } || c.Examples?.Any(e => e is null || e.Length > MaximumText) == true
            || c.Times is not (null or CaptureTimes or FileTimes))
            ? $"each check names its folder (up to 1,024 characters), files and bytes (not negative), up to {MaximumExamples} warnings of up to {MaximumText} characters, and times 'capture' or 'file'"
        : null;
}
