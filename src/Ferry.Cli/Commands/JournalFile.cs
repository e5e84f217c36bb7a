using Ferry.Core;
using Ferry.Core.Journal;

namespace Ferry.Cli.Commands;

/// <summary>The CLI's transfer journal: FERRY_HOME's journal or the one --journal names, opened for a command.</summary>
internal static class JournalFile
{
    /// <summary>Opens the journal at <paramref name="path"/> (null: FERRY_HOME's); a dry run without one gets null.</summary>
    /// <exception cref="CliException">A usage error (exit 2) when the file cannot be opened.</exception>
    public static TransferJournal? Open(string? path, bool dryRun)
    {
        var file = path is null ? FerryPaths.JournalFile : Path.GetFullPath(path);
        try
        {
            // A dry run writes nothing: it reads the journal if there is one, and does without otherwise.
            return dryRun && !File.Exists(file) ? null : TransferJournal.Open(file);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or Microsoft.Data.Sqlite.SqliteException)
        {
            throw CliException.Usage($"cannot open the journal {file}: {ex.Message}; set FERRY_HOME or --journal to a writable place");
        }
    }
}
