using System.Text.RegularExpressions;

namespace Ferry.Core.Storage;

/// <summary>
/// Where objects go or come from, as a user writes it: <c>s3://BUCKET[/PREFIX]</c>, <c>file:///ABS/PATH</c>
/// or a plain directory path. The prefix never starts with '/' and, when not empty, ends with '/'.
/// Schemes are written in lower case. A text that starts like a scheme (two or more letters, digits, '+', '.' or '-'
/// before a ':') but is not <c>s3://</c> or <c>file://</c> is refused, never taken for a directory: <c>S3://b</c>,
/// <c>s3:/b</c>, <c>s3:b</c> and <c>s4:/b</c> are typing mistakes, answered with "did you mean s3://b".
/// </summary>
public sealed partial record StoreLocation(StoreScheme Scheme, string Container, string Prefix)
{
    public override string ToString() => Scheme == StoreScheme.S3
        ? $"s3://{Container}/{Prefix}".TrimEnd('/')
        : Prefix.Length == 0 ? Container : Path.Combine(Container, Prefix.TrimEnd('/'));

    /// <summary>Parses <paramref name="text"/>; throws <see cref="FormatException"/> with a message naming the fix.</summary>
    public static StoreLocation Parse(string text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            throw new FormatException("the destination is empty; give s3://BUCKET/PREFIX or a directory path");
        }

        if (text.StartsWith("s3://", StringComparison.Ordinal))
        {
            var rest = text[5..];
            if (rest.StartsWith('/') && rest.TrimStart('/').Length > 0)
            {
                throw new FormatException($"'{text}' has no bucket (one slash too many); did you mean s3://{rest.TrimStart('/')}");
            }

            var slash = rest.IndexOf('/');
            var bucket = slash < 0 ? rest : rest[..slash];
            var prefix = slash < 0 ? "" : rest[(slash + 1)..];
            if (!BucketName().IsMatch(bucket))
            {
                throw new FormatException($"'{text}' does not name a valid bucket; write s3://BUCKET/PREFIX (bucket: 3-63 letters, digits, '.', '-' or '_')");
            }

            return new StoreLocation(StoreScheme.S3, bucket, NormalizePrefix(prefix, text));
        }

        if (text.StartsWith("file://", StringComparison.Ordinal))
        {
            var path = Uri.UnescapeDataString(text[7..]);
            if (!Path.IsPathRooted(path))
            {
                throw new FormatException($"'{text}' is not an absolute file URL; write file:///ABSOLUTE/PATH");
            }

            return new StoreLocation(StoreScheme.Local, Path.GetFullPath(path), "");
        }

        if (SchemePrefix().Match(text) is { Success: true } scheme)
        {
            throw new FormatException(Misspelled(text, scheme.Groups[1].Value, text[scheme.Length..]));
        }

        return new StoreLocation(StoreScheme.Local, Path.GetFullPath(text), "");
    }

    /// <summary>The message for a scheme-like prefix Ferry does not take: a suggestion when it is one typo from s3 or file.</summary>
    private static string Misspelled(string text, string scheme, string rest)
    {
        var path = rest.TrimStart('/');
        if (IsOneTypoFrom(scheme, "s3"))
        {
            return $"'{text}' is not a destination Ferry knows; did you mean s3://{path}";
        }

        if (IsOneTypoFrom(scheme, "file"))
        {
            return $"'{text}' is not a destination Ferry knows; did you mean file:///{path}";
        }

        return $"'{text}' uses a scheme Ferry does not know ({scheme}:); write s3://BUCKET/PREFIX, file:///PATH or a directory path (./{text} for a folder of that name)";
    }

    /// <summary>True when <paramref name="typed"/>, ignoring case, is at most one insertion, deletion or substitution from <paramref name="scheme"/>.</summary>
    private static bool IsOneTypoFrom(string typed, string scheme)
    {
        var a = typed.ToLowerInvariant();
        if (Math.Abs(a.Length - scheme.Length) > 1)
        {
            return false;
        }

        var previous = Enumerable.Range(0, scheme.Length + 1).ToArray();
        for (var i = 1; i <= a.Length; i++)
        {
            var current = new int[scheme.Length + 1];
            current[0] = i;
            for (var j = 1; j <= scheme.Length; j++)
            {
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + (a[i - 1] == scheme[j - 1] ? 0 : 1));
            }

            previous = current;
        }

        return previous[scheme.Length] <= 1;
    }

    private static string NormalizePrefix(string prefix, string text)
    {
        var trimmed = prefix.Trim('/');
        if (trimmed.Length == 0)
        {
            return "";
        }

        if (ObjectKey.FindProblem(trimmed) is { } problem)
        {
            throw new FormatException($"'{text}' has an invalid prefix: {problem}");
        }

        return trimmed + "/";
    }

    /// <summary>A URI scheme and its colon; two characters at least, so that a Windows drive (C:) stays a path.</summary>
    [GeneratedRegex("^([A-Za-z][A-Za-z0-9+.-]+):")]
    private static partial Regex SchemePrefix();

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]{1,62}$")]
    private static partial Regex BucketName();
}
