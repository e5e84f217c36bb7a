using System.Text.RegularExpressions;
using Ferry.Testing;

namespace Ferry.Server.Tests.Observability;

/// <summary>The PromQL of the Grafana panels and alerts, read from docs/operations.md (the one place it is kept), and the metric names it queries.</summary>
internal static partial class GrafanaPromQl
{
    /// <summary>"panel:KEY" and "alert:KEY" → the query, for every <c>```promql panel=KEY</c> and <c>```promql alert=KEY</c> block.</summary>
    public static Dictionary<string, string> Documented() =>
        Block().Matches(File.ReadAllText(Path.Combine(RepositoryPaths.Root, "docs", "operations.md")))
            .ToDictionary(m => m.Groups["kind"].Value + ":" + m.Groups["key"].Value, m => m.Groups["query"].Value.Trim());

    /// <summary>
    /// The metric names in <paramref name="query"/>: identifiers left once strings, label matchers, ranges and
    /// by/without clauses are removed, that are neither a function call nor a PromQL keyword.
    /// </summary>
    public static IEnumerable<string> MetricNames(string query)
    {
        var bare = Clause().Replace(Ranges().Replace(Matchers().Replace(Strings().Replace(query, "\"\""), "{}"), ""), "");
        return Identifier().Matches(bare).Where(m => !Keywords.Contains(m.Value)).Select(m => m.Value).Distinct(StringComparer.Ordinal);
    }

    private static readonly HashSet<string> Keywords = new(StringComparer.Ordinal) { "by", "without", "on", "ignoring", "group_left", "group_right", "bool", "offset", "and", "or", "unless" };

    [GeneratedRegex("```promql (?<kind>panel|alert)=(?<key>\\w+)\\n(?<query>.*?)```", RegexOptions.Singleline)]
    private static partial Regex Block();

    [GeneratedRegex("\"[^\"]*\"")]
    private static partial Regex Strings();

    [GeneratedRegex("\\{[^}]*\\}")]
    private static partial Regex Matchers();

    [GeneratedRegex("\\[[^\\]]*\\]")]
    private static partial Regex Ranges();

    [GeneratedRegex("\\b(by|without|on|ignoring)\\s*\\([^)]*\\)")]
    private static partial Regex Clause();

    [GeneratedRegex("\\b[a-zA-Z_:][a-zA-Z0-9_:]*\\b(?!\\s*\\()")]
    private static partial Regex Identifier();
}
