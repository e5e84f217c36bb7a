using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using Ferry.Cli.Configuration;
using Ferry.Core.Checks;
using Ferry.Core.Json;
using Spectre.Console;

namespace Ferry.Cli.Output;

/// <summary>
/// Shows a <see cref="CheckReport"/>: a Spectre.Console table of sensor folders, then one line per problem
/// (<c>PATH: kind: message</c>, easy to grep) and a summary line; or, with <c>--json</c>, one JSON object (schema in docs/cli.md).
/// </summary>
internal static class CheckReportPrinter
{
    public const int SchemaVersion = 1;

    public static void PrintText(CheckReport report, string source, TimeSpan gap, TextWriter output)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(output),
            Ansi = output == Console.Out && !Console.IsOutputRedirected ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = ColorSystemSupport.Detect,
        });
        if (Console.IsOutputRedirected || output != Console.Out)
        {
            console.Profile.Width = 160;
        }

        if (report.Folders.Count > 0)
        {
            var table = new Table().Border(TableBorder.Simple)
                .AddColumn("folder").AddColumn(new TableColumn("files").RightAligned()).AddColumn(new TableColumn("bytes").RightAligned())
                .AddColumn("first capture").AddColumn("last capture").AddColumn(new TableColumn($"gaps > {Duration.Format(gap)}").RightAligned());
            foreach (var folder in report.Folders)
            {
                table.AddRow(
                    Markup.Escape(folder.Folder),
                    folder.Files.ToString("N0", CultureInfo.InvariantCulture),
                    ByteSize.Format(folder.Bytes),
                    Time(folder.FirstCapture),
                    Time(folder.LastCapture),
                    folder.Gaps.Count.ToString(CultureInfo.InvariantCulture));
            }

            console.Write(table);
            foreach (var folder in report.Folders)
            {
                foreach (var captureGap in folder.Gaps)
                {
                    output.WriteLine($"gap in {folder.Folder}: {Time(captureGap.From)} .. {Time(captureGap.To)} ({Duration.Format(captureGap.Length)})");
                }
            }
        }

        foreach (var finding in report.Findings)
        {
            output.WriteLine($"{finding.Path}: {Kind(finding.Problem)}: {finding.Message}");
        }

        foreach (var skipped in report.Skipped)
        {
            output.WriteLine($"{skipped.RelativePath}: not checked: {skipped.Reason}");
        }

        var sums = report.SumsVerified > 0 || report.SumsWritten > 0
            ? $"; {report.SumsVerified:N0} sidecar checksums matched, {report.SumsWritten:N0} {SidecarSums.WrittenName} written"
            : "";
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"checked {report.Files:N0} files ({ByteSize.Format(report.Bytes)}) in {source} in {report.Elapsed.TotalSeconds:0.0} s: {(report.IsClean ? "no problems" : $"{report.Findings.Count:N0} problems")}{sums}"));
    }

    public static void PrintJson(CheckReport report, string source, TimeSpan gap, Stream output)
    {
        using var json = new Utf8JsonWriter(output, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        json.WriteStartObject();
        json.WriteNumber("v", SchemaVersion);
        json.WriteString("source", source);
        json.WriteNumber("files", report.Files);
        json.WriteNumber("bytes", report.Bytes);
        json.WriteNumber("elapsed_s", Math.Round(report.Elapsed.TotalSeconds, 3));
        json.WriteNumber("problem_count", report.Findings.Count);
        json.WriteNumber("gap_threshold_s", gap.TotalSeconds);
        json.WriteNumber("sums_verified", report.SumsVerified);
        json.WriteNumber("sums_written", report.SumsWritten);
        json.WriteObjects("problems", report.Findings, (json, finding) =>
        {
            json.WriteString("path", finding.Path);
            json.WriteString("kind", Kind(finding.Problem));
            json.WriteString("message", finding.Message);
        });
        json.WriteObjects("folders", report.Folders, (json, folder) =>
        {
            json.WriteString("folder", folder.Folder);
            json.WriteNumber("files", folder.Files);
            json.WriteNumber("bytes", folder.Bytes);
            json.WriteNumber("dated_files", folder.FilesWithCaptureTime);
            WriteTime(json, "first_capture", folder.FirstCapture);
            WriteTime(json, "last_capture", folder.LastCapture);
            if (folder.MajoritySerial is { } serial)
            {
                json.WriteString("serial", serial);
            }
            else
            {
                json.WriteNull("serial");
            }

            json.WriteObjects("gaps", folder.Gaps, (json, captureGap) =>
            {
                WriteTime(json, "from", captureGap.From);
                WriteTime(json, "to", captureGap.To);
                json.WriteNumber("hours", Math.Round(captureGap.Length.TotalHours, 2));
            });
        });
        json.WriteObjects("skipped", report.Skipped, (json, skipped) =>
        {
            json.WriteString("path", skipped.RelativePath);
            json.WriteString("reason", skipped.Reason);
        });
        json.WriteEndObject();
        json.Flush();
        output.WriteByte((byte)'\n');
    }

    /// <summary>The snake_case name of a problem kind, as in the text and JSON output (e.g. <c>all_zero</c>, <c>sum_mismatch</c>).</summary>
    public static string Kind(CheckProblem problem) => JsonNamingPolicy.SnakeCaseLower.ConvertName(problem.ToString());

    private static string Time(DateTime? time) => time?.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) ?? "-";

    private static void WriteTime(Utf8JsonWriter json, string name, DateTime? time)
    {
        if (time is { } value)
        {
            json.WriteString(name, value.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture));
        }
        else
        {
            json.WriteNull(name);
        }
    }
}
