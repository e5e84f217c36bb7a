using System.CommandLine;
using Ferry.Cli.Server;
using Ferry.Client;

namespace Ferry.Cli.Commands;

/// <summary><c>ferry donations export --server URL --days N [--format jsonl|csv] [--output FILE]</c>: the company's donated records, streamed.</summary>
internal sealed class DonationsCommand
{
    private readonly Option<string> _server = new("--server") { Description = "The Ferry server (after 'ferry login URL'; administrators)", Required = true };
    private readonly Option<int> _days = new("--days") { Description = "Records donated in the last N days (1-3650)", DefaultValueFactory = _ => 30 };
    private readonly Option<string> _format = new("--format") { Description = "jsonl or csv", DefaultValueFactory = _ => "jsonl" };
    private readonly Option<string?> _output = new("--output", "-o") { Description = "Write to this file (default: standard output)" };

    public Command Build()
    {
        var command = new Command("donations", "Donated records on a Ferry server.");
        var export = new Command("export", "Export the company's donated records of the last N days as JSON Lines or CSV, streamed (any size).");
        foreach (var option in new Option[] { _server, _days, _format, _output })
        {
            export.Options.Add(option);
        }

        export.SetAction((parse, cancellationToken) => ExportAsync(parse, cancellationToken));
        command.Subcommands.Add(export);
        return command;
    }

    private async Task<int> ExportAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        var format = parse.GetValue(_format)!;
        var days = parse.GetValue(_days);
        if (format is not ("jsonl" or "csv") || days is < 1 or > 3650)
        {
            throw CliException.Usage("--format is jsonl or csv, --days from 1 to 3650");
        }

        using var api = SignedInServer.Connect(parse.GetValue(_server)!, TimeProvider.System, TimeSpan.FromHours(6));
        var path = parse.GetValue(_output) is { } output ? Path.GetFullPath(output) : null;
        var temporary = path is null ? null : path + ".part";
        try
        {
            await using var stream = temporary is null ? Console.OpenStandardOutput() : File.Create(temporary);
            await api.ExportDonationsAsync(days, format, stream, cancellationToken);
        }
        catch (FerryApiException ex)
        {
            if (temporary is not null)
            {
                File.Delete(temporary);
            }

            throw CliException.Usage(ex.Message);
        }

        if (path is not null)
        {
            File.Move(temporary!, path, overwrite: true);
            await Console.Error.WriteLineAsync($"ferry: wrote {path}");
        }

        return ExitCodes.Success;
    }
}
