using System.CommandLine;
using System.Text.Json;
using Ferry.Cli.Output;
using Ferry.Cli.Stores;
using Ferry.Core.Verification;

namespace Ferry.Cli.Commands;

/// <summary><c>ferry verify SOURCE DEST</c>: prints every difference between a local tree and the objects under a prefix.</summary>
internal sealed class VerifyCommand
{
    private readonly Argument<string> _source = new("source") { Description = "Local folder" };
    private readonly Argument<string> _destination = new("dest") { Description = "s3://BUCKET/PREFIX, file:///PATH or a directory" };
    private readonly S3Options _s3 = new();
    private readonly Option<bool> _download = new("--download") { Description = "Read and hash the remote bytes instead of trusting the SHA-256 metadata" };
    private readonly Option<int> _concurrency = new("--concurrency", "-j") { Description = "Files compared at once", DefaultValueFactory = _ => 16 };
    private readonly FilterOptions _filter = new("compare");
    private readonly Option<bool> _json = new("--json") { Description = "Print each difference and the totals as NDJSON" };

    public Command Build()
    {
        var command = new Command("verify", "Compare a local folder with the uploaded objects (size and SHA-256); print every difference.\n\nExit codes:\n  0  identical\n  1  differences found\n  2  usage, credential, endpoint or bucket problem").With(_source, _destination);
        _s3.AddTo(command);
        command.Options.Add(_download);
        command.Options.Add(_concurrency);
        _filter.AddTo(command);
        command.Options.Add(_json);
        command.SetAction((parse, cancellationToken) => RunAsync(parse, cancellationToken));
        return command;
    }

    private async Task<int> RunAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        var source = Path.GetFullPath(parse.GetValue(_source)!);
        if (!Directory.Exists(source))
        {
            throw CliException.Usage($"the source folder {source} does not exist; check the path");
        }

        var concurrency = parse.GetValue(_concurrency);
        if (concurrency is < 1 or > 256)
        {
            throw CliException.Usage("--concurrency must be between 1 and 256");
        }

        var location = StoreConnection.ParseLocation(parse.GetValue(_destination)!);
        var store = StoreConnection.Open(location, _s3.Read(parse, concurrency + 4));
        try
        {
            await StoreConnection.CheckAccessAsync(store, cancellationToken);
            var json = parse.GetValue(_json);
            var gate = new Lock();
            var filter = _filter.Read(parse);
            var report = await new TreeVerifier(store).VerifyAsync(source, location.Prefix, parse.GetValue(_download), filter, concurrency, difference =>
            {
                lock (gate)
                {
                    Console.Out.WriteLine(json
                        ? JsonSerializer.Serialize(new Dictionary<string, object?> { ["v"] = 1, ["type"] = "difference", ["kind"] = difference.Kind, ["path"] = difference.Path, ["key"] = difference.Key, ["detail"] = difference.Detail }, CliOutputJson.Default.DictionaryStringObject)
                        : $"{difference.Kind}: {difference.Path}: {difference.Detail}");
                }
            }, cancellationToken);

            Console.Out.WriteLine(json
                ? JsonSerializer.Serialize(new Dictionary<string, object?> { ["v"] = 1, ["type"] = "summary", ["files_checked"] = report.FilesChecked, ["identical"] = report.FilesIdentical, ["differences"] = report.Differences, ["extra_objects"] = report.ExtraObjects }, CliOutputJson.Default.DictionaryStringObject)
                : report.Identical
                    ? $"Verified: {report.FilesChecked:N0} files identical at {location}"
                    : $"Differences: {report.Differences:N0} ({report.FilesIdentical:N0} of {report.FilesChecked:N0} files identical, {report.ExtraObjects:N0} extra objects) at {location}");
            return report.Identical ? ExitCodes.Success : ExitCodes.SomeFailed;
        }
        finally
        {
            (store as IDisposable)?.Dispose();
        }
    }
}
