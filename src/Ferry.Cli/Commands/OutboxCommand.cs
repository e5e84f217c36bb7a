using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Ferry.Cli.Output;
using Ferry.Core.Bundles;

namespace Ferry.Cli.Commands;

/// <summary><c>ferry outbox list</c> and <c>ferry outbox flush</c>: the bundles waiting for delivery, and delivering them.</summary>
internal sealed class OutboxCommand
{
    private readonly Option<string?> _outbox = new("--outbox") { Description = "Outbox folder (default: FERRY_HOME/outbox)", Recursive = true };
    private readonly Option<bool> _json = new("--json") { Description = "JSON output", Recursive = true };
    private readonly S3Options _s3 = new();

    public Command Build()
    {
        var command = new Command("outbox", "Bundles that 'ferry export' could not deliver yet: list them, deliver them.").With(_outbox, _json);

        command.Subcommands.Add(new Command("list", "Bundles waiting: name, destination, files, size, attempts, last error.").Runs(List));

        var flush = new Command("flush", "Deliver every waiting bundle (verified); each leaves the outbox only once delivered. Exit 0 when the outbox is empty afterwards, 3 when some still wait.");
        _s3.AddTo(flush);
        flush.SetAction((parse, cancellationToken) => FlushAsync(parse, cancellationToken));
        command.Subcommands.Add(flush);
        command.SetAction(List);
        return command;
    }

    private Outbox Open(ParseResult parse) => new(parse.GetValue(_outbox) ?? Outbox.DefaultDirectory);

    private int List(ParseResult parse)
    {
        var outbox = Open(parse);
        var bundles = outbox.List();
        if (parse.GetValue(_json))
        {
            Console.Out.WriteLine(JsonSerializer.Serialize(bundles.Select(b => new Dictionary<string, object?>
            {
                ["bundle"] = b.Folder,
                ["name"] = b.Descriptor.Name,
                ["location"] = b.Descriptor.Location,
                ["path"] = b.Directory,
                ["created_at"] = b.Descriptor.CreatedAt,
                ["files"] = b.Descriptor.Files,
                ["bytes"] = b.Descriptor.Bytes,
                ["attempts"] = b.Descriptor.Attempts,
                ["last_error"] = b.Descriptor.LastError,
            }).ToList(), CliOutputJson.Default.ListDictionaryStringObject));
            return ExitCodes.Success;
        }

        if (bundles.Count == 0)
        {
            Console.Out.WriteLine($"The outbox {outbox.Directory} is empty.");
            return ExitCodes.Success;
        }

        foreach (var b in bundles)
        {
            var d = b.Descriptor;
            Console.Out.WriteLine($"{d.Folder}  {d.Files} file(s), {d.Bytes.ToString("N0", CultureInfo.InvariantCulture)} bytes  -> {d.Location}  attempts {d.Attempts}{(d.LastError is null ? "" : $"  last error: {d.LastError}")}");
        }

        Console.Out.WriteLine($"{bundles.Count} bundle(s) waiting in {outbox.Directory}; deliver them with 'ferry outbox flush'.");
        return ExitCodes.Success;
    }

    private async Task<int> FlushAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        var outbox = Open(parse);
        using var journal = JournalFile.Open(null, dryRun: false);
        var exporter = new BundleExporter(outbox, BundleStores.Opener(parse, _s3), journal);
        var results = await exporter.FlushAsync(dueOnly: false, select: null, cancellationToken);
        var json = parse.GetValue(_json);
        var exit = ExitCodes.Success;
        foreach (var result in results)
        {
            exit = Math.Max(exit, ExportResultPrinter.Print(result, json));
        }

        if (!json)
        {
            var waiting = outbox.List().Count;
            Console.Out.WriteLine(results.Count == 0 ? "Nothing to deliver: the outbox is empty." : $"{results.Count(r => r.Delivered)} delivered, {waiting} still waiting.");
        }

        return exit;
    }
}
