namespace Ferry.Cli.Commands;

/// <summary>The local folder a command reads: it must exist, be a folder and be readable, else a usage error naming it.</summary>
internal static class SourceFolder
{
    public static string Check(string text)
    {
        var full = Path.GetFullPath(text);
        if (File.Exists(full))
        {
            throw CliException.Usage($"the source {full} is a file; give the folder that holds it");
        }

        if (!Directory.Exists(full))
        {
            throw CliException.Usage($"the source folder {full} does not exist; check the path");
        }

        try
        {
            using var entries = Directory.EnumerateFileSystemEntries(full).GetEnumerator();
            entries.MoveNext();
        }
        catch (UnauthorizedAccessException)
        {
            throw CliException.Usage($"the source folder {full} is not readable; check its permissions");
        }

        return full;
    }
}
