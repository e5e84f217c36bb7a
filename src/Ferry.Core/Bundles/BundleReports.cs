using System.Globalization;
using System.Text;
using System.Text.Json;
using Ferry.Core.Json;

namespace Ferry.Core.Bundles;

/// <summary>
/// Renders a bundle's two reports from its descriptor and file list: <c>comprehensive_report.json</c> for
/// programs (who, when, sections, every file's size and SHA-256, timings, outcome) and <c>readable_report.txt</c>
/// for people. Both are written to a temporary file and renamed, so a reader never sees half a report. The file
/// list streams from disk: a bundle of a million files renders in constant memory.
/// </summary>
public static class BundleReports
{
    public const string JsonName = "comprehensive_report.json";
    public const string TextName = "readable_report.txt";

    /// <summary>Writes both reports into <paramref name="bundleDirectory"/>.</summary>
    public static void Write(string bundleDirectory, BundleDescriptor descriptor)
    {
        WriteAtomically(Path.Combine(bundleDirectory, JsonName), stream => WriteJson(stream, descriptor, ReadFiles(bundleDirectory)));
        WriteAtomically(Path.Combine(bundleDirectory, TextName), stream => WriteText(stream, descriptor, ReadFiles(bundleDirectory)));
    }

    /// <summary>The bundle's outcome as the reports spell it: <c>delivered</c> or <c>queued</c>.</summary>
    public static string Outcome(BundleDescriptor descriptor) => descriptor.DeliveredAt is null ? "queued" : "delivered";

    /// <summary>The file list of a bundle, in the order it was copied.</summary>
    public static IEnumerable<BundleFileEntry> ReadFiles(string bundleDirectory)
    {
        using var reader = new StreamReader(Path.Combine(bundleDirectory, Outbox.StateFolder, Outbox.FilesName), Encoding.UTF8);
        while (reader.ReadLine() is { } line)
        {
            if (line.Length > 0)
            {
                yield return JsonSerializer.Deserialize(line, BundleJson.Default.BundleFileEntry)!;
            }
        }
    }

    private static void WriteJson(Stream stream, BundleDescriptor d, IEnumerable<BundleFileEntry> files)
    {
        using var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        json.WriteStartObject();
        json.WriteString("format", "ferry-audit-bundle/1");
        json.WriteString("bundle", d.Folder);
        json.WriteString("bundle_id", d.BundleId);
        json.WriteString("name", d.Name);
        json.WriteString("outcome", Outcome(d));
        json.WriteString("location", d.Location);
        json.WriteString("created_at", Timestamps.Iso(d.CreatedAt));
        json.WriteStartObject("created_by");
        json.WriteString("user", d.CreatedBy);
        json.WriteString("host", d.Host);
        json.WriteEndObject();
        if (d.Details is { Count: > 0 })
        {
            json.WriteStartObject("details");
            foreach (var (key, value) in d.Details.OrderBy(p => p.Key, StringComparer.Ordinal))
            {
                json.WriteString(key, value);
            }

            json.WriteEndObject();
        }

        json.WriteStartObject("totals");
        json.WriteNumber("files", d.Files);
        json.WriteNumber("bytes", d.Bytes);
        json.WriteNumber("sections", d.Sections.Count);
        json.WriteString("content_fingerprint", d.ContentFingerprint);
        json.WriteEndObject();
        json.WriteObjects("sections", d.Sections, (json, section) =>
        {
            json.WriteString("name", section.Name);
            json.WriteString("source", section.Source);
            json.WriteNumber("files", section.Files);
            json.WriteNumber("bytes", section.Bytes);
        });
        json.WriteStartObject("timings");
        json.WriteNumber("collect_ms", d.CollectMilliseconds);
        WriteOptionalStamp(json, "delivered_at", d.DeliveredAt);
        if (d.DeliveryMilliseconds is { } ms)
        {
            json.WriteNumber("deliver_ms", ms);
        }

        json.WriteEndObject();
        json.WriteStartObject("delivery");
        json.WriteString("destination", d.Destination.Location);
        json.WriteNumber("attempts", d.Attempts + (d.DeliveredAt is null ? 0 : 1));
        json.WriteBoolean("verified", d.DeliveredAt is not null);
        json.WriteString("verification", "every file's size and SHA-256 checked by Ferry after upload; this report is uploaded last");
        if (d.LastError is not null && d.DeliveredAt is null)
        {
            json.WriteString("last_error", d.LastError);
        }

        json.WriteEndObject();
        json.WriteObjects("files", files, (json, file) =>
        {
            json.WriteString("path", file.Path);
            json.WriteString("section", file.Section);
            json.WriteNumber("size", file.Size);
            json.WriteString("sha256", file.Sha256);
        });
        json.WriteEndObject();
    }

    private static void WriteText(Stream stream, BundleDescriptor d, IEnumerable<BundleFileEntry> files)
    {
        using var text = new StreamWriter(stream, new UTF8Encoding(false), 64 * 1024, leaveOpen: true) { NewLine = "\n" };
        text.WriteLine($"Audit bundle: {d.Name}");
        text.WriteLine(new string('=', Math.Min(80, 14 + d.Name.Length)));
        text.WriteLine();
        text.WriteLine($"Bundle:      {d.Folder}");
        text.WriteLine($"Location:    {d.Location}");
        text.WriteLine($"Created:     {Timestamps.Iso(d.CreatedAt)} by {d.CreatedBy} on {d.Host}");
        text.WriteLine(d.DeliveredAt is { } delivered
            ? $"Outcome:     delivered {Timestamps.Iso(delivered)}, every file verified by size and SHA-256 (attempt {d.Attempts + 1})"
            : $"Outcome:     queued in the outbox, not yet delivered{(d.LastError is null ? "" : $" (last error: {d.LastError})")}");
        text.WriteLine($"Contents:    {Count(d.Files, "file")}, {Bytes(d.Bytes)} in {Count(d.Sections.Count, "section")}");
        text.WriteLine($"Collected in {Seconds(d.CollectMilliseconds)}{(d.DeliveryMilliseconds is { } ms ? $", delivered in {Seconds(ms)}" : "")}");
        if (d.Details is { Count: > 0 })
        {
            text.WriteLine();
            text.WriteLine("Details");
            foreach (var (key, value) in d.Details.OrderBy(p => p.Key, StringComparer.Ordinal))
            {
                text.WriteLine($"  {key}: {value}");
            }
        }

        text.WriteLine();
        text.WriteLine("Sections");
        foreach (var section in d.Sections)
        {
            text.WriteLine($"  {section.Name + "/",-24} {Count(section.Files, "file"),12} {Bytes(section.Bytes),12}   from {section.Source}");
        }

        text.WriteLine();
        text.WriteLine("Files (SHA-256, size, path)");
        foreach (var file in files)
        {
            text.WriteLine($"  {file.Sha256}  {file.Size,12}  {file.Path}");
        }

        text.WriteLine();
        text.WriteLine("To check a copy: sha256sum each file and compare with the list above, or with comprehensive_report.json.");
    }

    private static void WriteOptionalStamp(Utf8JsonWriter json, string name, DateTimeOffset? value)
    {
        if (value is { } at)
        {
            json.WriteString(name, Timestamps.Iso(at));
        }
    }

    private static void WriteAtomically(string path, Action<Stream> write)
    {
        var temporary = Path.Combine(Path.GetDirectoryName(path)!, Outbox.StateFolder, Path.GetFileName(path) + ".tmp");
        using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None, 64 * 1024))
        {
            write(stream);
            stream.Flush(flushToDisk: true);
        }

        File.Move(temporary, path, overwrite: true);
    }

    private static string Count(long n, string noun) => n == 1 ? $"1 {noun}" : $"{n.ToString("N0", CultureInfo.InvariantCulture)} {noun}s";

    private static string Seconds(long ms) => (ms / 1000.0).ToString("0.0", CultureInfo.InvariantCulture) + " s";

    private static string Bytes(long bytes) => bytes switch
    {
        < 1024 => $"{bytes} B",
        < 1024 * 1024 => (bytes / 1024.0).ToString("0.0", CultureInfo.InvariantCulture) + " KiB",
        < 1024L * 1024 * 1024 => (bytes / 1048576.0).ToString("0.0", CultureInfo.InvariantCulture) + " MiB",
        _ => (bytes / 1073741824.0).ToString("0.00", CultureInfo.InvariantCulture) + " GiB",
    };
}
