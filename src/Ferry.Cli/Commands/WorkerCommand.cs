using System.CommandLine;
using Ferry.Server;

namespace Ferry.Cli.Commands;

/// <summary><c>ferry worker</c>: runs upload jobs from the server database's queue until interrupted.</summary>
internal sealed class WorkerCommand
{
    private readonly Option<string?> _db = DatabaseOption.Create();
    private readonly Option<string[]> _roots = DatabaseOption.AllowedRoots();

    public Command Build()
    {
        return new Command("worker", "Run upload jobs (queued with POST /api/jobs or the Jobs page) with the verified engine. Any number of workers may share a PostgreSQL database; with SQLite, run one. A job whose worker dies is taken over after Ferry:WorkerTimeout and resumes.\n\nExit codes:\n  0  stopped by Ctrl+C or SIGTERM (a running job is handed back to the queue)\n  1  stopped because the job worker failed (logged)\n  2  bad settings, unreachable database, or a schema that needs 'ferry db migrate'").With(_db, _roots).Runs((parse, cancellationToken) => RunAsync(parse, cancellationToken));
    }

    private async Task<int> RunAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        var settings = HostSettings.WithOneLineStartFailures(DatabaseOption.Settings(parse.GetValue(_db), parse.GetValue(_roots)));
        try
        {
            using var host = FerryServer.BuildWorker(settings);
            await HostRun.RunAsync(host, "the worker", cancellationToken);
        }
        catch (Exception ex) when (ex is ServerStartupException or ArgumentException or FormatException or IOException or InvalidOperationException)
        {
            throw CliException.Usage(ex.Message);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopped on purpose.
        }

        return ExitCodes.Success;
    }
}
