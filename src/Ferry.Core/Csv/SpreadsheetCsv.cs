using System.Globalization;
using CsvHelper;

namespace Ferry.Core.Csv;

/// <summary>
/// The CSV files Ferry writes for people (audit bundles' manifest and failures, donation exports,
/// <c>ferry sessions --format csv</c>), written with CsvHelper: RFC 4180 quoting, numbers in the invariant culture, UTF-8
/// without a byte order mark, and spreadsheet formula injection neutralized as OWASP advises — a text cell starting with
/// <c>=</c>, <c>+</c>, <c>-</c>, <c>@</c>, a tab or a carriage return gets a leading single quote and is quoted, so a
/// file named <c>=HYPERLINK(…)</c> is shown as text, never run as a formula. Numbers written as numbers
/// (<c>WriteField&lt;long&gt;</c>) stay numbers: <c>-5</c> is not touched.
/// </summary>
public static class SpreadsheetCsv
{
    /// <summary>Ferry's options for a CSV that people open; <paramref name="newLine"/> ends each record (<c>"\n"</c> by default).</summary>
    public static CsvWriterOptions Options(string newLine = "\n") => new()
    {
        FormatProvider = CultureInfo.InvariantCulture,
        Injection = CsvInjection.Escape,
        NewLine = newLine,
    };

    /// <summary>A writer that creates (or overwrites) the file at <paramref name="path"/> and closes it when disposed.</summary>
    public static CsvWriter ToFile(string path, string newLine = "\n") => CsvWriter.ToFile(path, Options(newLine), FileOptions.None);

    /// <summary>A writer on <paramref name="output"/> (UTF-8, left open when the writer is disposed).</summary>
    public static CsvWriter Create(Stream output, string newLine = "\n") => CsvWriter.Create(output, Options(newLine), leaveOpen: true);

    /// <summary>A writer on <paramref name="output"/> (left open when the writer is disposed), such as the console.</summary>
    public static CsvWriter Create(TextWriter output, string newLine = "\n") => CsvWriter.Create(output, Options(newLine), leaveOpen: true);
}
