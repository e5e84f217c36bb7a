using System.Globalization;
using Ferry.Cli.Configuration;
using Ferry.Core.Storage;
using Ferry.Core.Transfer;

namespace Ferry.Cli.Output;

/// <summary>The end-of-run summary, for people and as the NDJSON <c>summary</c> event.</summary>
internal static class SummaryPrinter
{
    public static void Print(UploadSummary summary, StoreLocation destination, UploadOptions options, TextWriter output)
    {
        var c = summary.Counts;
        var seconds = summary.Duration.TotalSeconds;
        var moved = c.FilesMoved > 0 ? string.Create(CultureInfo.InvariantCulture, $", {c.FilesMoved:N0} {(options.Move ? "moved" : "archived")}") : "";
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{Title(summary.Outcome, options.DryRun)}: {destination} — {c.FilesUploaded:N0} uploaded, {c.FilesPresent:N0} already present, {c.FilesSkipped:N0} skipped, {c.FilesFailed:N0} failed{moved}"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  {ByteSize.Format(c.BytesSent)} sent in {seconds:0.0} s ({ByteSize.Format(summary.BytesPerSecond)}/s, {(seconds > 0 ? c.FilesDone / seconds : 0):0} files/s), {c.Retries:N0} retries; session {summary.SessionId}"));
        foreach (var (reason, count) in summary.SkippedReasons.OrderByDescending(r => r.Value))
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  skipped {count:N0}: {reason}"));
        }

        if (options.ManifestPath is not null && !options.DryRun && summary.Outcome != UploadOutcome.Aborted)
        {
            output.WriteLine($"  manifest: {options.ManifestPath}" + (options.ManifestKey is null ? "" : $" (also at key {options.ManifestKey})"));
        }

        if (summary.Failures.Count > 0)
        {
            output.WriteLine($"  failures (see also: ferry sessions show {summary.SessionId} --outcome failed):");
            foreach (var failure in summary.Failures.Take(10))
            {
                output.WriteLine($"    {failure.Path}: {failure.Reason}");
            }
        }

        if (summary.Message is not null)
        {
            output.WriteLine($"  {summary.Message}");
        }
    }

    public static Dictionary<string, object?> Fields(UploadSummary summary, string? manifestPath)
    {
        var fields = JsonEventWriter.SnapshotFields(summary.Counts, summary.Duration);
        fields["outcome"] = summary.Outcome.ToString();
        fields["session_id"] = summary.SessionId;
        fields["message"] = summary.Message;
        fields["bytes_per_second"] = Math.Round(summary.BytesPerSecond);
        fields["skipped_reasons"] = summary.SkippedReasons;
        fields["failures"] = summary.Failures.Select(f => new Dictionary<string, object?> { ["path"] = f.Path, ["reason"] = f.Reason }).ToList();
        fields["manifest"] = manifestPath;
        return fields;
    }

    private static string Title(UploadOutcome outcome, bool dryRun) => dryRun ? "Dry run" : outcome switch
    {
        UploadOutcome.Completed => "Upload complete",
        UploadOutcome.CompletedWithFailures => "Upload finished with failures",
        UploadOutcome.Aborted => "Upload stopped",
        _ => "Upload interrupted",
    };
}
