using Ferry.Client.Contracts;
using Ferry.Core.Checks;

namespace Ferry.Cli.Server;

/// <summary>
/// What <c>ferry upload --server</c> sends with <c>POST /api/sessions</c> (<c>checks</c>): the check of the source per
/// sensor folder, as the upload page sends its own — files, bytes, the span of the believable capture times (the
/// devices' wall clock, <see cref="SensorFolderCheck.CaptureTimes"/>), the folder's problem count and up to 10 of the
/// problems kept. Bounded as the API takes it: 1,000 folders, 10 examples of 500 characters.
/// </summary>
internal static class SessionCheckResults
{
    /// <summary>How the check names the source folder itself (".") is shown as the upload page shows it.</summary>
    public const string RootFolder = "(folder itself)";

    public static List<SensorFolderCheck> From(CheckReport report)
    {
        var examples = report.Findings.GroupBy(f => FolderOf(f.Path), StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Take(SensorFolderCheck.MaximumExamples).Select(Example).ToList(), StringComparer.Ordinal);
        var checks = report.Folders.Select(f => new SensorFolderCheck(
            Name(f.Folder),
            f.Files,
            f.Bytes,
            Wall(f.FirstCapture),
            Wall(f.LastCapture),
            report.ProblemsByFolder.GetValueOrDefault(f.Folder),
            examples.GetValueOrDefault(f.Folder) ?? [],
            f.FilesWithCaptureTime > 0 ? SensorFolderCheck.CaptureTimes : null)).ToList();
        // Problems in folders the tally has no row for (a sidecar's folder, an unreadable file) still count.
        var tallied = report.Folders.Select(f => f.Folder).ToHashSet(StringComparer.Ordinal);
        checks.AddRange(report.ProblemsByFolder.Where(p => !tallied.Contains(p.Key)).OrderBy(p => p.Key, StringComparer.Ordinal)
            .Select(p => new SensorFolderCheck(Name(p.Key), 0, 0, Warnings: p.Value, Examples: examples.GetValueOrDefault(p.Key) ?? [])));
        return checks.Take(SensorFolderCheck.MaximumFolders).ToList();
    }

    private static string Name(string folder) => folder == "." ? RootFolder : folder.Length > 1024 ? folder[..1024] : folder;

    /// <summary>A capture time is the device's wall clock: it is sent as if UTC, and marked <c>capture</c>.</summary>
    private static DateTimeOffset? Wall(DateTime? time) => time is { } value ? new DateTimeOffset(DateTime.SpecifyKind(value, DateTimeKind.Unspecified), TimeSpan.Zero) : null;

    private static string Example(CheckFinding finding)
    {
        var text = $"{finding.Path}: {Output.CheckReportPrinter.Kind(finding.Problem)}: {finding.Message}";
        return text.Length > SensorFolderCheck.MaximumText ? text[..SensorFolderCheck.MaximumText] : text;
    }

    private static string FolderOf(string relativePath)
    {
        var slash = relativePath.LastIndexOf('/');
        return slash < 0 ? "." : relativePath[..slash];
    }
}
