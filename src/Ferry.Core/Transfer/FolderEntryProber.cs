using System.Runtime.CompilerServices;

namespace Ferry.Core.Transfer;

/// <summary>
/// Reads the type, size and time of a folder's entries on several dedicated threads, in chunks that
/// <see cref="SourceScanner"/> consumes in order while the next few are read. On a cold cache every entry is a disk
/// read, and one thread waits for them one at a time; several keep the disk's queue busy. At most
/// <see cref="ChunksAhead"/> chunks are read ahead of the scanner, so what it hands on is read just before, and a
/// scan that stops early waits for those few at most. The threads start with the first folder of more than one chunk
/// and stop on <see cref="DisposeAsync"/>.
/// </summary>
internal sealed class FolderEntryProber : IAsyncDisposable
{
    /// <summary>Entries per chunk: small enough that a folder of a few hundred files is read by every thread.</summary>
    internal const int ChunkSize = 32;

    /// <summary>Threads reading at once: as fast as eight on 300,000 files, with less memory (docs/architecture.md).</summary>
    internal const int Threads = 4;

    /// <summary>Chunks queued or being read ahead of the scanner, the one it waits for included.</summary>
    internal const int ChunksAhead = Threads * 2;

    /// <summary>
    /// Chunks queued and not yet taken; also the lock the threads wait on. A thread with nothing to read blocks at once:
    /// a <c>BlockingCollection</c> spun first (<c>sched_yield</c>), 5 % of the CPU when two trees are read at once.
    /// </summary>
    private readonly Queue<Chunk> _queue = new();
    private bool _stopped;
    private Task[]? _threads;

    /// <summary>The chunks of one folder's entries (<paramref name="paths"/>, in the scanner's order), each once it is read.</summary>
    public async IAsyncEnumerable<Chunk> ProbeAsync(string[] paths, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var count = (paths.Length + ChunkSize - 1) / ChunkSize;
        if (count <= 1)
        {
            if (count == 1)
            {
                var only = new Chunk(paths, 0, paths.Length);
                only.Read();
                yield return only;
            }

            yield break;
        }

        _threads ??= Enumerable.Range(0, Threads)
            .Select(_ => Task.Factory.StartNew(Work, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default))
            .ToArray();
        var reading = new Queue<Chunk>();
        var next = 0;
        while (next < count && reading.Count < ChunksAhead)
        {
            reading.Enqueue(Queue(paths, next++));
        }

        while (reading.TryDequeue(out var chunk))
        {
            cancellationToken.ThrowIfCancellationRequested();
            await chunk.Completion.WaitAsync(cancellationToken).ConfigureAwait(false);
            if (next < count)
            {
                reading.Enqueue(Queue(paths, next++));
            }

            yield return chunk;
        }
    }

    public async ValueTask DisposeAsync()
    {
        lock (_queue)
        {
            _stopped = true;
            Monitor.PulseAll(_queue);
        }

        if (_threads is not null)
        {
            await Task.WhenAll(_threads).ConfigureAwait(false);
        }
    }

    private Chunk Queue(string[] paths, int index)
    {
        var chunk = new Chunk(paths, index * ChunkSize, Math.Min(ChunkSize, paths.Length - (index * ChunkSize)));
        lock (_queue)
        {
            _queue.Enqueue(chunk);
            Monitor.Pulse(_queue);
        }

        return chunk;
    }

    private void Work()
    {
        while (true)
        {
            Chunk chunk;
            lock (_queue)
            {
                while (_queue.Count == 0 && !_stopped)
                {
                    Monitor.Wait(_queue);
                }

                if (_stopped)
                {
                    return; // the scan is over; a chunk left unread is one nobody waits for
                }

                chunk = _queue.Dequeue();
            }

            chunk.Read();
        }
    }

    /// <summary>What one entry is: its kind without following a link, and a regular file's size and time.</summary>
    internal readonly record struct Entry(FileKind Kind, long Size, long LastWriteTicks);

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
            var (kind, size, lastWriteTicks) = FileKindProbe.Read(path);
            return new Entry(kind, size, lastWriteTicks);
        }
    }
}
