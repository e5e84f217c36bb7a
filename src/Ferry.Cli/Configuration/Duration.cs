using System.Globalization;
using System.Text.RegularExpressions;

namespace Ferry.Cli.Configuration;

/// <summary>Parses durations such as <c>90m</c>, <c>6h</c>, <c>2d</c> or <c>1d12h</c> (d, h, m, s; at least one part).</summary>
internal static partial class Duration
{
    public static TimeSpan Parse(string text, string optionName)
    {
        var trimmed = text.Trim();
        var matches = Part().Matches(trimmed);
        if (trimmed.Length == 0 || matches.Sum(m => m.Length) != trimmed.Length)
        {
            throw CliException.Usage($"{optionName} '{text}' is not a duration; write it like 90m, 6h, 2d or 1d12h");
        }

        var total = TimeSpan.Zero;
        foreach (Match match in matches)
        {
            var number = double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
            total += char.ToLowerInvariant(match.Groups[2].Value[0]) switch
            {
                'd' => TimeSpan.FromDays(number),
                'h' => TimeSpan.FromHours(number),
                'm' => TimeSpan.FromMinutes(number),
                _ => TimeSpan.FromSeconds(number),
            };
        }

        return total;
    }

    public static string Format(TimeSpan span) => span.TotalDays >= 1
        ? string.Create(CultureInfo.InvariantCulture, $"{(int)span.TotalDays}d{span.Hours}h")
        : span.TotalHours >= 1
            ? string.Create(CultureInfo.InvariantCulture, $"{(int)span.TotalHours}h{span.Minutes}m")
            : string.Create(CultureInfo.InvariantCulture, $"{(int)span.TotalMinutes}m");

    [GeneratedRegex(@"(\d+(?:\.\d+)?)\s*([dhmsDHMS])")]
    private static partial Regex Part();
}
