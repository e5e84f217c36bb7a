namespace Ferry.Core.Storage;

/// <summary>Rules for object keys built by Ferry: '/'-separated relative paths, bytes unchanged.</summary>
public static class ObjectKey
{
    /// <summary>The longest key S3 accepts, in UTF-8 bytes.</summary>
    public const int MaximumUtf8Length = 1024;

    /// <summary>Joins a prefix (which may be empty, and need not end in '/') and a relative path.</summary>
    public static string Join(string prefix, string relativePath) =>
        prefix.Length == 0 ? relativePath : prefix.EndsWith('/') ? prefix + relativePath : prefix + "/" + relativePath;

    /// <summary>
    /// Throws when <paramref name="key"/> is empty, absolute, has empty, "." or ".." segments,
    /// control characters, or more than <see cref="MaximumUtf8Length"/> UTF-8 bytes.
    /// </summary>
    public static void Validate(string key)
    {
        var problem = FindProblem(key);
        if (problem is not null)
        {
            throw new StoreException(StoreErrorKind.Other, $"invalid object key '{key}': {problem}");
        }
    }

    /// <summary>What is wrong with <paramref name="key"/>, or null when it is a valid key.</summary>
    public static string? FindProblem(string key)
    {
        if (key.Length == 0)
        {
            return "it is empty";
        }

        if (key[0] == '/')
        {
            return "it starts with '/'";
        }

        if (System.Text.Encoding.UTF8.GetByteCount(key) > MaximumUtf8Length)
        {
            return $"it is longer than {MaximumUtf8Length} UTF-8 bytes";
        }

        foreach (var c in key)
        {
            if (char.IsControl(c))
            {
                return "it contains a control character";
            }
        }

        foreach (var segment in key.Split('/'))
        {
            if (segment is "" or "." or "..")
            {
                return "it has an empty, '.' or '..' segment";
            }
        }

        return null;
    }
}
