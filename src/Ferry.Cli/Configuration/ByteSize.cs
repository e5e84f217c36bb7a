using System.Globalization;
using System.Text.RegularExpressions;

namespace Ferry.Cli.Configuration;

/// <summary>Parses sizes such as <c>8MiB</c>, <c>16M</c>, <c>1G</c>, <c>5242880</c> (binary units; K, M, G, T).</summary>
internal static partial class ByteSize
{
    public static long Parse(string text, string optionName)
    {
        var match = Pattern().Match(text.Trim());
        if (!match.Success)
        {
            throw CliException.Usage($"{optionName} '{text}' is not a size; write it like 8MiB, 64M or 1G");
        }

        var number = double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
        var multiplier = char.ToUpperInvariant(match.Groups[2].Value.FirstOrDefault()) switch
        {
            'K' => 1L << 10,
            'M' => 1L << 20,
            'G' => 1L << 30,
            'T' => 1L << 40,
            _ => 1L,
        };
        return (long)(number * multiplier);
    }

    public static string Format(double bytes)
    {
        string[] units = ["B", "KiB", "MiB", "GiB", "TiB"];
        var unit = 0;
        while (bytes >= 1024 && unit < units.Length - 1)
        {
            bytes /= 1024;
            unit++;
        }

        return unit == 0 ? $"{bytes:0} B" : string.Create(CultureInfo.InvariantCulture, $"{bytes:0.0} {units[unit]}");
    }

    [GeneratedRegex(@"^([0-9]+(?:\.[0-9]+)?)\s*([KMGTkmgt]?)(?:i?[Bb])?$")]
    private static partial Regex Pattern();
}
