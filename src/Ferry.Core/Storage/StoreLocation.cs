using System.Text.RegularExpressions;

namespace Ferry.Core.Storage;

/// <summary>
/// Where objects go or come from, as a user writes it: <c>s3://BUCKET[/PREFIX]</c>, <c>file:///ABS/PATH</c>
/// or a plain directory path. The prefix never starts with '/' and, when not empty, ends with '/'.
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

        if (text.StartsWith("s3://", StringComparison.OrdinalIgnoreCase))
        {
            var rest = text[5..];
            var slash = rest.IndexOf('/');
            var bucket = slash < 0 ? rest : rest[..slash];
            var prefix = slash < 0 ? "" : rest[(slash + 1)..];
            if (!BucketName().IsMatch(bucket))
            {
                throw new FormatException($"'{text}' does not name a valid bucket; write s3://BUCKET/PREFIX (bucket: 3-63 letters, digits, '.', '-' or '_')");
            }

            return new StoreLocation(StoreScheme.S3, bucket, NormalizePrefix(prefix, text));
        }

        if (text.StartsWith("file://", StringComparison.OrdinalIgnoreCase))
        {
            var path = Uri.UnescapeDataString(text[7..]);
            if (!Path.IsPathRooted(path))
            {
                throw new FormatException($"'{text}' is not an absolute file URL; write file:///ABSOLUTE/PATH");
            }

            return new StoreLocation(StoreScheme.Local, Path.GetFullPath(path), "");
        }

        if (text.Contains("://", StringComparison.Ordinal))
        {
            throw new FormatException($"'{text}' uses a scheme Ferry does not know; write s3://BUCKET/PREFIX, file:///PATH or a directory path");
        }

        return new StoreLocation(StoreScheme.Local, Path.GetFullPath(text), "");
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

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]{1,62}$")]
    private static partial Regex BucketName();
}
