using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using System.Threading.Channels;
using Ferry.Core.Transfer;

namespace Ferry.Cli.Output;

/// <summary>
/// Writes NDJSON events to standard output (schema version 1, documented in docs/cli.md): one
/// <c>start</c>, then <c>file</c>, <c>retry</c> and periodic <c>progress</c> events, and a final
/// <c>summary</c>. Events are queued and written by one background task, so the engine never waits on the pipe.
/// </summary>
internal sealed class JsonEventWriter : ITransferObserver, IAsyncDisposable
{
    public const int SchemaVersion = 1;

    private readonly Channel<string> _lines = Channel.CreateUnbounded<string>();
    /// <summary>Paths and keys appear as they are, not as \uXXXX escapes.</summary>
    private static readonly JsonSerializerOptions LineOptions = new()
    {
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        TypeInfoResolver = CliOutputJson.Default,
    };

    private static readonly JsonTypeInfo<Dictionary<string, object?>> LineType = (JsonTypeInfo<Dictionary<string, object?>>)LineOptions.GetTypeInfo(typeof(Dictionary<string, object?>));

    private readonly Task _pump;
    private readonly TextWriter _output;

    public JsonEventWriter(TextWriter output)
    {
        _output = output;
        _pump = Task.Run(PumpAsync);
    }

    public void Write(string type, IReadOnlyDictionary<string, object?> fields)
    {
        var all = new Dictionary<string, object?> { ["v"] = SchemaVersion, ["type"] = type, ["time"] = DateTimeOffset.UtcNow };
        foreach (var (name, value) in fields)
        {
            all[name] = value;
        }

        _lines.Writer.TryWrite(JsonSerializer.Serialize(all, LineType));
    }

    public void OnFileEvent(FileEvent fileEvent) => Write("file", new Dictionary<string, object?>
    {
        ["outcome"] = fileEvent.Outcome,
        ["path"] = fileEvent.Path,
        ["key"] = fileEvent.Key,
        ["size"] = fileEvent.Size,
        ["sha256"] = fileEvent.Sha256,
        ["etag"] = fileEvent.ETag,
        ["reason"] = fileEvent.Reason,
    });

    public void OnRetry(string reason) => Write("retry", new Dictionary<string, object?> { ["reason"] = reason });

    public void WriteProgress(TransferSnapshot snapshot, TimeSpan elapsed) => Write("progress", SnapshotFields(snapshot, elapsed));

    public static Dictionary<string, object?> SnapshotFields(TransferSnapshot s, TimeSpan elapsed) => new()
    {
        ["files_found"] = s.FilesFound,
        ["bytes_found"] = s.BytesFound,
        ["scan_complete"] = s.ScanComplete,
        ["files_transferred"] = s.FilesTransferred,
        ["files_present"] = s.FilesPresent,
        ["files_skipped"] = s.FilesSkipped,
        ["files_failed"] = s.FilesFailed,
        ["files_moved"] = s.FilesMoved,
        ["bytes_sent"] = s.BytesSent,
        ["bytes_done"] = s.BytesDone,
        ["retries"] = s.Retries,
        ["elapsed_s"] = Math.Round(elapsed.TotalSeconds, 3),
    };

    public async ValueTask DisposeAsync()
    {
        _lines.Writer.TryComplete();
        await _pump;
    }

    private async Task PumpAsync()
    {
        await foreach (var line in _lines.Reader.ReadAllAsync())
        {
            await _output.WriteLineAsync(line);
            if (_lines.Reader.Count == 0)
            {
                await _output.FlushAsync();
            }
        }

        await _output.FlushAsync();
    }
}
