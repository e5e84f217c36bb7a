namespace Ferry.Core;

/// <summary>Where Ferry keeps its own files: <c>FERRY_HOME</c>, else <c>$XDG_DATA_HOME/ferry</c>, else <c>~/.local/share/ferry</c>.</summary>
public static class FerryPaths
{
    public static string DataDirectory
    {
        get
        {
            var home = Environment.GetEnvironmentVariable("FERRY_HOME");
            if (!string.IsNullOrWhiteSpace(home))
            {
                return Path.GetFullPath(home);
            }

            var xdg = Environment.GetEnvironmentVariable("XDG_DATA_HOME");
            var root = !string.IsNullOrWhiteSpace(xdg)
                ? xdg
                : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".local", "share");
            return Path.Combine(root, "ferry");
        }
    }

    /// <summary>The default transfer journal (SQLite).</summary>
    public static string JournalFile => Path.Combine(DataDirectory, "journal.db");
}
