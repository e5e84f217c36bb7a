using Ferry.Core.Storage;

namespace Ferry.Server.Sessions;

/// <summary>
/// Object keys are built here, by the server, from the cycle's prefix and the file's relative path; a client
/// never names a key. Paths keep their characters as sent (no Unicode normalization, as the CLI keeps file names'
/// bytes): <c>/</c> separates folders and every other character, <c>\</c> included, is part of a name, so a Linux file
/// <c>a\b.wav</c> is the key <c>a\b.wav</c> (clients send <c>/</c>: the CLI's scanner and the browser's
/// webkitRelativePath alike). Paths are refused when absolute, with empty, "." or ".." segments, control characters,
/// or too long a key.
/// </summary>
internal static class UploadKeys
{
    /// <summary>The longest relative path accepted, in characters (a key is at most 1,024 UTF-8 bytes anyway).</summary>
    public const int MaximumPathLength = 1024;

    /// <summary>The normalized relative path, or the reason it is refused.</summary>
    public static (string? Path, string? Problem) NormalizePath(string? path)
    {
        if (string.IsNullOrEmpty(path))
        {
            return (null, "the path is empty");
        }

        if (path.Length > MaximumPathLength)
        {
            return (null, $"the path is longer than {MaximumPathLength} characters");
        }

        var normalized = path;

        if (normalized.StartsWith('/') || (normalized.Length >= 2 && normalized[1] == ':' && char.IsAsciiLetter(normalized[0])))
        {
            return (null, "the path is absolute; send it relative to the folder being uploaded");
        }

        foreach (var c in normalized)
        {
            if (char.IsControl(c))
            {
                return (null, "the path contains a control character");
            }
        }

        foreach (var segment in normalized.Split('/'))
        {
            if (segment is "" or "." or "..")
            {
                return (null, "the path has an empty, '.' or '..' segment");
            }
        }

        // A backslash is part of a Linux file name and stays in the key byte for byte ("a\b.wav"), but Windows reads it
        // as a separator: a "..\" run would climb out of the folder a colleague downloads the cycle into.
        foreach (var segment in normalized.Split('\\'))
        {
            if (segment is "." or "..")
            {
                return (null, "the path has a '.' or '..' segment between backslashes (a Windows download would leave its folder)");
            }
        }

        return (normalized, null);
    }

    /// <summary>The key for a normalized path under a cycle prefix, or the reason it cannot be one.</summary>
    public static (string? Key, string? Problem) Build(string cyclePrefix, string normalizedPath)
    {
        var key = cyclePrefix + normalizedPath;
        var problem = ObjectKey.FindProblem(key);
        return problem is null ? (key, null) : (null, problem);
    }

    /// <summary>
    /// A cycle's prefix in its stored form: no leading '/', one trailing '/' (empty for the bucket's root);
    /// null and a reason when it has empty, "." or ".." segments or control characters.
    /// </summary>
    public static (string? Prefix, string? Problem) NormalizePrefix(string? prefix)
    {
        var trimmed = (prefix ?? "").Replace('\\', '/').Trim().Trim('/');
        if (trimmed.Length == 0)
        {
            return ("", null);
        }

        var (path, problem) = NormalizePath(trimmed);
        return path is null ? (null, problem!.Replace("the path", "the prefix", StringComparison.Ordinal)) : (path + "/", null);
    }

    /// <summary>True for a SHA-256 in hexadecimal (64 digits, either case).</summary>
    public static bool IsSha256Hex(string value) => value.Length == 64 && value.All(char.IsAsciiHexDigit);

    /// <summary>A path as an error message quotes it: up to 120 characters.</summary>
    public static string Shorten(string? path) => path is null ? "(none)" : path.Length <= 120 ? path : path[..117] + "...";
}
