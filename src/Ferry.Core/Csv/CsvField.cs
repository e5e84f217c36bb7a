using System.Globalization;

namespace Ferry.Core.Csv;

/// <summary>
/// Cells of the CSV files Ferry writes (audit bundles, donation exports, <c>ferry sessions --format csv</c>): RFC 4180
/// quoting, and spreadsheet formula injection neutralized as OWASP advises — a text cell starting with <c>=</c>,
/// <c>+</c>, <c>-</c>, <c>@</c>, a tab or a carriage return gets a leading single quote, so a file named
/// <c>=HYPERLINK(…)</c> is shown as text, never run as a formula. Every CSV writer goes through here.
/// </summary>
public static class CsvField
{
    private static readonly char[] FormulaStarts = ['=', '+', '-', '@', '\t', '\r'];

    private static readonly char[] NeedsQuotes = [',', '"', '\n', '\r'];

    /// <summary>A text cell: neutralized, then quoted when it holds a comma, quote or line break; null is empty.</summary>
    public static string Text(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return "";
        }

        var text = Array.IndexOf(FormulaStarts, value[0]) >= 0 ? "'" + value : value;
        return text.IndexOfAny(NeedsQuotes) >= 0 ? "\"" + text.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : text;
    }

    /// <summary>A number cell, invariant culture (negative numbers stay numbers).</summary>
    public static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>A value of any type: numbers as numbers, everything else as text (invariant culture).</summary>
    public static string Value(object? value) => value switch
    {
        null => "",
        long or int or short or byte or ulong or uint or ushort or sbyte => Convert.ToString(value, CultureInfo.InvariantCulture)!,
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        decimal m => m.ToString(CultureInfo.InvariantCulture),
        _ => Text(Convert.ToString(value, CultureInfo.InvariantCulture)),
    };

    /// <summary>Text cells joined with commas (no line ending).</summary>
    public static string Row(params string?[] values) => string.Join(',', values.Select(Text));
}
