using System.Collections.Concurrent;

namespace Ferry.Core.Transfer;

/// <summary>
/// Reads the type, size and time of a folder's entries on several dedicated threads, in chunks that
/// <see cref="SourceScanner"/> consumes in order while the next ones are read. On a cold cache every entry is a disk
/// read, and one thread waits for them one at a time; several keep the disk's queue busy. The threads start with the
/// first folder big enough to need them and stop on <see cref="DisposeAsync"/>.
/// </summary>
internal sealed class FolderEntryProber : IAsyncDisposable
{
    /// <summary>Entries per chunk: small enough that a folder of a few hundred files is read by every thread.</summary>
    internal const int ChunkSize = 32;

    /// <summary>Threads reading at once.</summary>
    internal const int Threads = 8;

    private readonly BlockingCollection<Chunk> _queue = new();
    private Task[]? _threads;

    /// <summary>
    /// Starts reading <paramref name="paths"/> (one folder's entries, in the scanner's order); the chunks come back in
    /// that order. A folder of one chunk is read on the calling thread.
    /// </summary>
    public IReadOnlyList<Chunk> Probe(string[] paths)
    {
        var chunks = new Chunk[(paths.Length + ChunkSize - 1) / ChunkSize];
        for (var i = 0; i < chunks.Length; i++)
        {
            chunks[i] = new Chunk(paths, i * ChunkSize, Math.Min(ChunkSize, paths.Length - (i * ChunkSize)));
        }

        if (chunks.Length == 1)
        {
            chunks[0].Read();
            return chunks;
        }

        _threads ??= Enumerable.Range(0, Threads)
            .Select(_ => Task.Factory.StartNew(Work, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default))
            .ToArray();
        foreach (var chunk in chunks)
        {
            _queue.Add(chunk);
        }

        return chunks;
    }

    public async ValueTask DisposeAsync()
    {
        _queue.CompleteAdding();
        if (_threads is not null)
        {
            await Task.WhenAll(_threads).ConfigureAwait(false);
        }

        _queue.Dispose();
    }

    private void Work()
    {
        foreach (var chunk in _queue.GetConsumingEnumerable())
        {
            chunk.Read();
        }
    }

    /// <summary>What one entry is: its kind without following a link, and a regular file's size and time.</summary>
    internal readonly record struct Entry(FileKind Kind, long Size, long LastWriteTicks, bool Vanished);

    /// <summary>A run of consecutive entries of one folder, read together.</summary>
    internal sealed class Chunk(string[] paths, int start, int count)
    {
        private readonly TaskCompletionSource _read = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public int Start => start;

        public int Count => count;

        public Entry[] Entries { get; } = new Entry[count];

        /// <summary>Completes when every entry of the chunk has been read.</summary>
        public Task Completion => _read.Task;

        public void Read()
        {
            try
            {
                for (var i = 0; i < count; i++)
                {
                    Entries[i] = ReadEntry(paths[start + i]);
                }

                _read.SetResult();
            }
            catch (Exception ex)
            {
                _read.SetException(ex);
            }
        }

        private static Entry ReadEntry(string path)
        {
            var kind = FileKindProbe.Probe(path);
            if (kind != FileKind.Regular)
            {
                return new Entry(kind, 0, 0, false);
            }

            var info = new FileInfo(path);
            return info.Exists ? new Entry(kind, info.Length, info.LastWriteTimeUtc.Ticks, false) : new Entry(kind, 0, 0, true);
        }
    }
}
