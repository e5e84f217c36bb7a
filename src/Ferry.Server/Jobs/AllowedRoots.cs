namespace Ferry.Server.Jobs;

/// <summary>
/// Decides whether a job may read a server folder: it must exist and, once every symbolic link on the way is
/// resolved, lie inside one of <see cref="FerryServerOptions.AllowedRoots"/> (also resolved). A link inside an
/// allowed root that points outside it is therefore refused, and so is <c>..</c> trickery.
/// </summary>
internal static class AllowedRoots
{
    private const int MaximumLinks = 40;

    /// <summary>The folder with links resolved, or the reason it may not be used.</summary>
    public static (string? Folder, string? Problem) Check(string? directory, IReadOnlyList<string> roots)
    {
        if (roots.Count == 0)
        {
            return (null, "no server folder is allowed for upload jobs; an operator lists them in Ferry:AllowedRoots (ferry serve --allowed-root DIR)");
        }

        if (string.IsNullOrWhiteSpace(directory) || !Path.IsPathRooted(directory) || directory.Any(char.IsControl))
        {
            return (null, "local_directory must be an absolute path on the server");
        }

        var resolved = RealPath(directory);
        if (resolved is null || !Directory.Exists(resolved))
        {
            return (null, $"the server folder {directory} does not exist or is not a folder");
        }

        foreach (var root in roots)
        {
            var allowed = RealPath(root) ?? Path.GetFullPath(root);
            if (IsInside(resolved, allowed))
            {
                return (resolved, null);
            }
        }

        return (null, $"{directory}{(resolved == Path.GetFullPath(directory) ? "" : $" (really {resolved})")} is outside the folders allowed for upload jobs ({string.Join(", ", roots)})");
    }

    private static bool IsInside(string path, string root)
    {
        var trimmed = root.TrimEnd('/');
        return path == trimmed || trimmed.Length == 0 || path.StartsWith(trimmed + "/", StringComparison.Ordinal);
    }

    /// <summary>The absolute path with every symbolic link resolved, component by component; null when a component is missing or links loop.</summary>
    internal static string? RealPath(string path)
    {
        var pending = new Stack<string>(Path.GetFullPath(path).Split('/', StringSplitOptions.RemoveEmptyEntries).Reverse());
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
                    return null;
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
