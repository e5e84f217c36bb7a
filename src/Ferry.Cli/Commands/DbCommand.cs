using System.CommandLine;
using Ferry.Server;

namespace Ferry.Cli.Commands;

/// <summary><c>ferry db migrate</c>: brings the server database's schema up to date (the start scripts run it).</summary>
internal sealed class DbCommand
{
    private readonly Option<string?> _db = DatabaseOption.Create();
    private readonly Option<string[]> _roots = DatabaseOption.AllowedRoots();

    public Command Build()
    {
        var migrate = new Command("migrate", "Apply the schema migrations the server database lacks (safe to run again), then give the first company each configured server folder (--allowed-root, Ferry:AllowedRoots, FERRY_ALLOWED_ROOTS) it was never given.\n\nExit codes:\n  0  the schema is current\n  2  bad connection string or unreachable database").With(_db, _roots).Runs((parse, cancellationToken) => MigrateAsync(parse, cancellationToken));
        var command = new Command("db", "Manage the server database.");
        command.Subcommands.Add(migrate);
        return command;
    }

    private async Task<int> MigrateAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        var settings = DatabaseOption.Settings(parse.GetValue(_db), parse.GetValue(_roots));
        try
        {
            var (applied, version, database) = await FerryServer.MigrateAsync(settings, cancellationToken);
            Console.WriteLine(applied.Count == 0
                ? $"{database}: schema is current (version {version})"
                : $"{database}: applied migration(s) {string.Join(", ", applied)}; schema is at version {version}");
            return ExitCodes.Success;
        }
        catch (Exception ex) when (ex is FormatException or ArgumentException or System.Data.Common.DbException or InvalidOperationException or IOException)
        {
            throw CliException.Usage($"cannot migrate the database: {ex.Message.Split('\n')[0]}");
        }
    }
}
