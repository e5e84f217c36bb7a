using System.Text;
using System.Text.RegularExpressions;

namespace Ferry.Core.Transfer;

/// <summary>
/// Include and exclude globs over relative paths ('/' separators). <c>*</c> matches within one
/// segment, <c>**</c> across segments, <c>?</c> one character, <c>[abc]</c> a set. A pattern
/// without '/' matches the file name in any folder. A path is taken when it matches some include
/// (or there are none) and no exclude.
/// </summary>
public sealed class PathFilter
{
    private readonly Regex[] _includes;
    private readonly Regex[] _excludes;
    private readonly Func<string, bool>? _predicate;

    public PathFilter(IEnumerable<string> includes, IEnumerable<string> excludes)
    {
        _includes = includes.Select(ToRegex).ToArray();
        _excludes = excludes.Select(ToRegex).ToArray();
    }

    private PathFilter(Regex[] includes, Regex[] excludes, Func<string, bool> predicate)
    {
        _includes = includes;
        _excludes = excludes;
        _predicate = predicate;
    }

    /// <summary>This filter, and also <paramref name="predicate"/> (for a caller that knows which paths are still to do).</summary>
    public PathFilter And(Func<string, bool> predicate)
    {
        var previous = _predicate;
        return new PathFilter(_includes, _excludes, previous is null ? predicate : path => previous(path) && predicate(path));
    }

    public static PathFilter All { get; } = new([], []);

    public bool IsEmpty => _includes.Length == 0 && _excludes.Length == 0 && _predicate is null;

    public bool Matches(string relativePath) =>
        (_includes.Length == 0 || _includes.Any(r => r.IsMatch(relativePath)))
        && !_excludes.Any(r => r.IsMatch(relativePath))
        && (_predicate is null || _predicate(relativePath));

    /// <summary>Translates a glob into an anchored regular expression; throws <see cref="FormatException"/> on an unclosed set.</summary>
    internal static Regex ToRegex(string glob)
    {
        var anywhere = !glob.Contains('/', StringComparison.Ordinal);
        var pattern = new StringBuilder(anywhere ? "^(?:.*/)?" : "^");
        var body = glob.TrimStart('/');
        for (var i = 0; i < body.Length; i++)
        {
            var c = body[i];
            switch (c)
            {
                case '*' when i + 1 < body.Length && body[i + 1] == '*':
                    i++;
                    if (i + 1 < body.Length && body[i + 1] == '/')
                    {
                        i++;
                        pattern.Append("(?:.*/)?");
                    }
                    else
                    {
                        pattern.Append(".*");
                    }

                    break;
                case '*':
                    pattern.Append("[^/]*");
                    break;
                case '?':
                    pattern.Append("[^/]");
                    break;
                case '[':
                    var close = body.IndexOf(']', i + 1);
                    if (close < 0)
                    {
                        throw new FormatException($"the pattern '{glob}' has '[' without ']'");
                    }

                    var set = body[(i + 1)..close];
                    pattern.Append('[').Append(set.StartsWith('!') ? "^" + Regex.Escape(set[1..]) : Regex.Escape(set)).Append(']');
                    i = close;
                    break;
                default:
                    pattern.Append(Regex.Escape(c.ToString()));
                    break;
            }
        }

        pattern.Append(glob.EndsWith('/') ? ".*$" : "$");
        return new Regex(pattern.ToString(), RegexOptions.CultureInvariant | RegexOptions.Compiled);
    }
}
