using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Ferry.Core.Manifests;

/// <summary>
/// Appends manifest lines to a file as files are verified; safe to call from many workers. The file
/// is written under a temporary name and renamed into place by <see cref="CompleteAsync"/>, so a
/// manifest is either complete for its run or absent.
/// </summary>
public sealed class ManifestWriter : IAsyncDisposable
{
    /// <summary>Names and keys are written as they are (no \uXXXX escapes for '+', non-ASCII and the like).</summary>
    private static readonly JsonSerializerOptions LineOptions = new()
    {
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        TypeInfoResolver = ManifestJson.Default,
    };

    private static readonly JsonTypeInfo<ManifestEntry> LineType = (JsonTypeInfo<ManifestEntry>)LineOptions.GetTypeInfo(typeof(ManifestEntry));

    private readonly string _path;
    private readonly string _temporary;
    private readonly StreamWriter _writer;
    private readonly Lock _lock = new();
    private bool _completed;

    public ManifestWriter(string path)
    {
        _path = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(_path)!);
        _temporary = _path + ".partial";
        _writer = new StreamWriter(_temporary, append: false, new UTF8Encoding(false), 1 << 16);
    }

    public long Count { get; private set; }

    public void Add(ManifestEntry entry)
    {
        var line = JsonSerializer.Serialize(entry, LineType);
        lock (_lock)
        {
            _writer.Write(line);
            _writer.Write('\n');
            Count++;
        }
    }

    /// <summary>Flushes and moves the manifest to its final path; returns that path.</summary>
    public async Task<string> CompleteAsync()
    {
        await _writer.FlushAsync().ConfigureAwait(false);
        await _writer.DisposeAsync().ConfigureAwait(false);
        File.Move(_temporary, _path, overwrite: true);
        _completed = true;
        return _path;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_completed)
        {
            await _writer.DisposeAsync().ConfigureAwait(false);
            File.Delete(_temporary);
        }
    }

    /// <summary>Reads a manifest back, line by line.</summary>
    public static async IAsyncEnumerable<ManifestEntry> ReadAsync(string path)
    {
        using var reader = new StreamReader(path);
        while (await reader.ReadLineAsync().ConfigureAwait(false) is { } line)
        {
            if (line.Length > 0)
            {
                yield return JsonSerializer.Deserialize(line, LineType)!;
            }
        }
    }
}
