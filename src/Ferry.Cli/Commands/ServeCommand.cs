using System.CommandLine;
using Ferry.Server;

namespace Ferry.Cli.Commands;

/// <summary><c>ferry serve</c>: hosts the web app and API (Ferry.Server) until interrupted.</summary>
internal sealed class ServeCommand
{
    private readonly Option<string> _urls = new("--urls") { Description = "Where to listen", DefaultValueFactory = _ => "http://127.0.0.1:8080" };
    private readonly Option<string?> _db = DatabaseOption.Create();
    private readonly Option<bool> _worker = new("--worker") { Description = "Also run an upload-job worker in this process (the single-machine set-up)" };
    private readonly Option<string[]> _roots = DatabaseOption.AllowedRoots();

    public Command Build()
    {
        return new Command("serve", "Run the Ferry web app and API.\n\nThe database schema must be current: run 'ferry db migrate' first. On first start the administrator 'admin' is created; its password is FERRY_ADMIN_PASSWORD, or random and written to the file 'initial-admin-password' in the data directory (mode 0600; its path is printed; change it at first sign-in).\n\nExit codes:\n  0  stopped by Ctrl+C or SIGTERM\n  1  stopped because a background service failed (logged)\n  2  bad settings, unreachable database, or a schema that needs 'ferry db migrate'").With(_urls, _db, _worker, _roots).Runs((parse, cancellationToken) => RunAsync(parse, cancellationToken));
    }

    private async Task<int> RunAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        var settings = HostSettings.WithOneLineStartFailures(DatabaseOption.Settings(parse.GetValue(_db), parse.GetValue(_roots), new() { ["urls"] = parse.GetValue(_urls) }));
        if (parse.GetValue(_worker))
        {
            settings["Ferry:RunWorker"] = "true";
        }

        try
        {
            var app = FerryServer.Build([], settings);
            await using (app)
            {
                await HostRun.RunAsync(app, "the server", cancellationToken);
            }
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
