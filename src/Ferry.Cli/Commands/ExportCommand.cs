using System.CommandLine;
using Ferry.Cli.Output;
using Ferry.Core.Bundles;
using Ferry.Core.Transfer;

namespace Ferry.Cli.Commands;

/// <summary>
/// <c>ferry export SOURCE DEST --name NAME</c>: an audit bundle <c>DEST/YYYYMMDD_HHMMSS_slug/</c> with one folder per
/// section and two reports, built in the durable outbox and delivered with the verified engine; when DEST cannot be
/// reached, the bundle waits in the outbox (exit 3) for <c>ferry outbox flush</c>.
/// </summary>
internal sealed class ExportCommand
{
    private readonly Argument<string?> _source = new("source") { Description = "Folder whose sub-folders become the bundle's sections (documents/, feedback/, logs/…)", Arity = ArgumentArity.ZeroOrOne };
    private readonly Argument<string?> _destination = new("dest") { Description = "s3://BUCKET/BASE or a directory: the bundle becomes BASE/YYYYMMDD_HHMMSS_<slug>/", Arity = ArgumentArity.ZeroOrOne };
    private readonly Option<string> _name = new("--name") { Description = "The export's name, e.g. \"Contract review 42\" (the folder's slug comes from it)", Required = true };
    private readonly Option<string[]> _sections = new("--section") { Description = "NAME=PATH: a section from any folder (repeatable); instead of SOURCE's sub-folders", AllowMultipleArgumentsPerToken = false };
    private readonly Option<string?> _outbox = new("--outbox") { Description = "Outbox folder (default: FERRY_HOME/outbox)" };
    private readonly Option<string?> _user = new("--user") { Description = "Who the reports name as the exporter (default: the login name)" };
    private readonly Option<bool> _json = new("--json") { Description = "Print the result as one JSON object" };
    private readonly S3Options _s3 = new();

    public Command Build()
    {
        var command = new Command("export", "Export an audit bundle: timestamped folder with sections, comprehensive_report.json and readable_report.txt, uploaded and verified; kept in the outbox when the destination is unreachable.\n\n" + ExitCodes.HelpText).With(_source, _destination);
        foreach (var option in new Option[] { _name, _sections, _outbox, _user, _json })
        {
            command.Options.Add(option);
        }

        _s3.AddTo(command);
        command.SetAction((parse, cancellationToken) => RunAsync(parse, cancellationToken));
        return command;
    }

    private async Task<int> RunAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        var (sections, destinationText) = ReadSections(parse);
        var destination = BundleStores.Describe(parse, _s3, destinationText);
        var outbox = new Outbox(parse.GetValue(_outbox) ?? Outbox.DefaultDirectory);
        using var journal = JournalFile.Open(null, dryRun: false);
        var exporter = new BundleExporter(outbox, BundleStores.Opener(parse, _s3), journal);
        var request = new BundleRequest(parse.GetValue(_name)!, sections, destination, parse.GetValue(_user));
        var json = parse.GetValue(_json);
        if (!json)
        {
            Console.Error.WriteLine($"ferry: collecting {sections.Count} section(s) into the outbox {outbox.Directory}");
        }

        ExportResult result;
        try
        {
            result = await exporter.ExportAsync(request, new TransferProgress(), cancellationToken);
        }
        catch (BundleException ex)
        {
            throw CliException.Usage(ex.Message);
        }

        return ExportResultPrinter.Print(result, json);
    }

    private (IReadOnlyList<BundleSection> Sections, string Destination) ReadSections(ParseResult parse)
    {
        var mapping = parse.GetValue(_sections) ?? [];
        var source = parse.GetValue(_source);
        var destination = parse.GetValue(_destination);
        try
        {
            if (mapping.Length == 0)
            {
                if (source is null || destination is null)
                {
                    throw CliException.Usage("write ferry export SOURCE DEST --name NAME (or DEST with --section NAME=PATH)");
                }

                return (BundleSection.FromSubfolders(source), destination);
            }

            // With --section the only argument is DEST.
            if (destination is not null)
            {
                throw CliException.Usage("with --section give only DEST, not SOURCE too");
            }

            destination = source ?? throw CliException.Usage("no destination given; write ferry export DEST --section NAME=PATH --name NAME");
            var sections = new List<BundleSection>();
            foreach (var item in mapping)
            {
                var equals = item.IndexOf('=', StringComparison.Ordinal);
                if (equals <= 0 || equals == item.Length - 1)
                {
                    throw CliException.Usage($"--section '{item}' is not NAME=PATH; write e.g. --section documents=/srv/review/docs");
                }

                var name = item[..equals];
                if (BundleSection.FindProblem(name) is { } problem)
                {
                    throw CliException.Usage(problem);
                }

                sections.Add(new BundleSection(name, Path.GetFullPath(item[(equals + 1)..])));
            }

            return (sections, destination);
        }
        catch (BundleException ex)
        {
            throw CliException.Usage(ex.Message);
        }
    }
}
