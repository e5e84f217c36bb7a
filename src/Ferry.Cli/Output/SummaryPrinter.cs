using System.Globalization;
using Ferry.Cli.Configuration;
using Ferry.Core.Transfer;

namespace Ferry.Cli.Output;

/// <summary>The end-of-run summary, for people and as the NDJSON <c>summary</c> event.</summary>
internal static class SummaryPrinter
{
    /// <param name="where">The remote side, as the user wrote it.</param>
    /// <param name="movedWord">"moved" or "archived" when local files were removed after upload, else null.</param>
    /// <param name="manifest">The manifest written, if any.</param>
    public static void Print(TransferSummary summary, TransferDirection direction, string where, bool dryRun, string? movedWord, TextWriter output, string? manifest = null)
    {
        var c = summary.Counts;
        var seconds = summary.Duration.TotalSeconds;
        var verb = direction == TransferDirection.Upload ? "uploaded" : "downloaded";
        var moved = c.FilesMoved > 0 && movedWord is not null ? string.Create(CultureInfo.InvariantCulture, $", {c.FilesMoved:N0} {movedWord}") : "";
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{Title(summary.Outcome, direction, dryRun)}: {where} — {c.FilesTransferred:N0} {verb}, {c.FilesPresent:N0} already present, {c.FilesSkipped:N0} skipped, {c.FilesFailed:N0} failed{moved}"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  {ByteSize.Format(c.BytesSent)} {(direction == TransferDirection.Upload ? "sent" : "received")} in {seconds:0.0} s ({ByteSize.Format(summary.BytesPerSecond)}/s, {(seconds > 0 ? c.FilesDone / seconds : 0):0} files/s), {c.Retries:N0} retries; session {summary.SessionId}"));
        foreach (var (reason, count) in summary.SkippedReasons.OrderByDescending(r => r.Value))
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  skipped {count:N0}: {reason}"));
        }

        if (manifest is not null)
        {
            output.WriteLine($"  manifest: {manifest}");
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

    public static Dictionary<string, object?> Fields(TransferSummary summary, string? manifestPath)
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

    private static string Title(TransferOutcome outcome, TransferDirection direction, bool dryRun)
    {
        var noun = direction == TransferDirection.Upload ? "Upload" : "Download";
        return dryRun ? "Dry run" : outcome switch
        {
            TransferOutcome.Completed => $"{noun} complete",
            TransferOutcome.CompletedWithFailures => $"{noun} finished with failures",
            TransferOutcome.Aborted => $"{noun} stopped",
            _ => $"{noun} interrupted",
        };
    }
}
