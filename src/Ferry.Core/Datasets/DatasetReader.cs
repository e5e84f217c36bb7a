using System.IO.Compression;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Ferry.Core.Manifests;
using Ferry.Core.Storage;
using Ferry.Core.Transfer;

namespace Ferry.Core.Datasets;

/// <summary>
/// Reads the records of JSON Lines shards (plain, or gzip when the key ends in <c>.gz</c>) straight
/// from a store, in order, in constant memory. Each shard is first fetched to a temporary file and
/// verified (the manifest's SHA-256, else the object's), and only then parsed, so a corrupt shard
/// yields no record at all, and a transient failure while fetching is retried without repeating or
/// skipping records. Blank lines are ignored; a line that is not JSON stops the read with its
/// shard and line number.
/// </summary>
public sealed class DatasetReader
{
    private readonly IObjectStore _store;
    private readonly DatasetReaderOptions _options;

    public DatasetReader(IObjectStore store, DatasetReaderOptions? options = null)
    {
        _store = store;
        _options = options ?? new DatasetReaderOptions();
    }

    /// <summary>The records of every <c>*.jsonl</c> and <c>*.jsonl.gz</c> object under <paramref name="prefix"/>, shards in key order.</summary>
    public async IAsyncEnumerable<DatasetRecord> ReadPrefixAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var keys = new List<string>();
        await foreach (var listed in _store.ListAsync(prefix, cancellationToken).ConfigureAwait(false))
        {
            if (IsShard(listed.Key))
            {
                keys.Add(listed.Key);
            }
        }

        keys.Sort(StringComparer.Ordinal);
        await foreach (var record in ReadAsync(keys.Select(k => new DatasetShard(k)), cancellationToken).ConfigureAwait(false))
        {
            yield return record;
        }
    }

    /// <summary>The records of the shards a Ferry manifest lists, in manifest order, each checked against the manifest's SHA-256.</summary>
    public async IAsyncEnumerable<DatasetRecord> ReadManifestAsync(string manifestPath, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var shards = new List<DatasetShard>();
        await foreach (var entry in ManifestWriter.ReadAsync(manifestPath).ConfigureAwait(false))
        {
            if (IsShard(entry.Key))
            {
                shards.Add(new DatasetShard(entry.Key, entry.Sha256));
            }
        }

        await foreach (var record in ReadAsync(shards, cancellationToken).ConfigureAwait(false))
        {
            yield return record;
        }
    }

    /// <summary>The records of <paramref name="shards"/>, in the order given.</summary>
    public async IAsyncEnumerable<DatasetRecord> ReadAsync(IEnumerable<DatasetShard> shards, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var retry = RetryPolicy.Create(_options.Retries, _options.RetryBaseDelay, null);
        var fetcher = new ObjectFetcher(_store, retry, new TransferProgress(), null, 8 * 1024 * 1024, _options.RangeThreshold, 4, durable: false);
        var folder = _options.TemporaryDirectory ?? Path.GetTempPath();
        foreach (var shard in shards)
        {
            var listed = await _store.HeadAsync(shard.Key, cancellationToken).ConfigureAwait(false)
                ?? throw new StoreException(StoreErrorKind.NotFound, $"shard {shard.Key} does not exist in {_store.Description}");
            var temporary = Path.Combine(folder, $"ferry-shard-{Guid.NewGuid():N}");
            try
            {
                await fetcher.FetchAsync(listed with { Sha256 = null }, temporary, shard.Sha256 ?? listed.Sha256, cancellationToken).ConfigureAwait(false);
                await foreach (var record in ParseAsync(temporary, shard.Key, cancellationToken).ConfigureAwait(false))
                {
                    yield return record;
                }
            }
            finally
            {
                File.Delete(temporary);
            }
        }
    }

    private static async IAsyncEnumerable<DatasetRecord> ParseAsync(string path, string key, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.Asynchronous | FileOptions.SequentialScan);
        await using var fileDisposal = file.ConfigureAwait(false);
        Stream content = key.EndsWith(".gz", StringComparison.Ordinal) ? new GZipStream(file, CompressionMode.Decompress) : file;
        await using (content.ConfigureAwait(false))
        {
            using var reader = new StreamReader(content, System.Text.Encoding.UTF8, detectEncodingFromByteOrderMarks: true, bufferSize: 1 << 16);
            long line = 0;
            while (await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } text)
            {
                line++;
                if (string.IsNullOrWhiteSpace(text))
                {
                    continue;
                }

                JsonElement value;
                try
                {
                    using var document = JsonDocument.Parse(text);
                    value = document.RootElement.Clone();
                }
                catch (JsonException ex)
                {
                    throw new InvalidDataException($"{key} line {line} is not valid JSON: {ex.Message}", ex);
                }

                yield return new DatasetRecord(value, key, line);
            }
        }
    }

    private static bool IsShard(string key) => key.EndsWith(".jsonl", StringComparison.Ordinal) || key.EndsWith(".jsonl.gz", StringComparison.Ordinal);
}
