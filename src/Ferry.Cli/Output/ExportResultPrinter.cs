using System.Text.Json;
using Ferry.Core.Bundles;

namespace Ferry.Cli.Output;

/// <summary>The result of an export or an outbox flush, for people or as one JSON line.</summary>
internal static class ExportResultPrinter
{
    /// <summary>Prints one result (export or flush) and returns its exit code.</summary>
    public static int Print(ExportResult result, bool json)
    {
        if (json)
        {
            Console.Out.WriteLine(JsonSerializer.Serialize(new Dictionary<string, object?>
            {
                ["outcome"] = result.Outcome.ToString().ToLowerInvariant(),
                ["bundle"] = result.Folder,
                ["location"] = result.Location,
                ["outbox_path"] = result.OutboxPath,
                ["message"] = result.Message,
                ["files"] = result.Files,
                ["bytes"] = result.Bytes,
                ["duration_ms"] = (long)result.Duration.TotalMilliseconds,
            }, CliOutputJson.Default.DictionaryStringObject));
        }
        else if (result.Outcome == ExportOutcome.Delivered)
        {
            Console.Out.WriteLine($"Exported {result.Files} file(s) and 2 reports, verified: {result.Location}");
        }
        else if (result.Outcome == ExportOutcome.Queued)
        {
            Console.Out.WriteLine($"Queued in the outbox: {result.OutboxPath}");
            Console.Error.WriteLine($"ferry: the destination failed ({result.Message}); the bundle is complete in the outbox, run 'ferry outbox flush' to deliver it");
        }
        else
        {
            Console.Out.WriteLine($"Busy: {result.Folder} is being delivered by another process");
        }

        return result.Outcome == ExportOutcome.Delivered ? ExitCodes.Success : ExitCodes.Queued;
    }
}
