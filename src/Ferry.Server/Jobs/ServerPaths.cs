namespace Ferry.Server.Jobs;

/// <summary>Path rules for server folders, apart from any database: normalizing, containment, resolving symbolic links.</summary>
internal static class ServerPaths
{
    private const int MaximumLinks = 40;
    private const int MaximumLength = 4096;

    /// <summary>
    /// The absolute path with <c>.</c> and <c>..</c> collapsed (lexically: no file system is touched) and no trailing
    /// slash; null when <paramref name="path"/> is empty, relative, longer than 4096 characters or holds control characters.
    /// </summary>
    public static string? Normalize(string? path)
    {
        if (string.IsNullOrWhiteSpace(path) || path.Length > MaximumLength || !Path.IsPathRooted(path) || path.Any(char.IsControl))
        {
            return null;
        }

        var full = Path.GetFullPath(path);
        return full.Length > 1 ? full.TrimEnd('/') : full;
    }

    /// <summary>Whether <paramref name="path"/> is <paramref name="root"/> or lies below it; both normalized.</summary>
    public static bool IsInside(string path, string root) =>
        root == "/" || path == root || path.StartsWith(root + "/", StringComparison.Ordinal);

    /// <summary>
    /// <paramref name="path"/> (normalized) with every symbolic link on the way resolved, component by component. Once a
    /// component does not exist, the rest is appended as written, so the answer says where the path would lead
    /// without telling whether it exists. Null when links loop (more than 40).
    /// </summary>
    public static string? Resolve(string path)
    {
        var pending = new Stack<string>(path.Split('/', StringSplitOptions.RemoveEmptyEntries).Reverse());
        var current = "/";
        var links = 0;
        while (pending.Count > 0)
        {
            var next = Path.Combine(current, pending.Pop());
            FileSystemInfo info = new FileInfo(next);
            if (!info.Exists)
            {
                info = new DirectoryInfo(next);
                if (!info.Exists)
                {
                    return pending.Aggregate(next, Path.Combine);
                }
            }

            if (info.LinkTarget is { } target)
            {
                if (++links > MaximumLinks)
                {
                    return null;
                }

                var absolute = Path.GetFullPath(Path.IsPathRooted(target) ? target : Path.Combine(current, target));
                var parts = absolute.Split('/', StringSplitOptions.RemoveEmptyEntries);
                for (var i = parts.Length - 1; i >= 0; i--)
                {
                    pending.Push(parts[i]);
                }

                current = "/";
                continue;
            }

            current = next;
        }

        return current;
    }
}
