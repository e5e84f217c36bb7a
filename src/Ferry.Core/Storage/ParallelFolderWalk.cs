using System.Collections.Concurrent;
using System.IO.Enumeration;
using System.Runtime.CompilerServices;
using System.Threading.Channels;

namespace Ferry.Core.Storage;

/// <summary>
/// Lists every file under a folder with several threads at once, in no particular order, for a listing whose order does
/// not matter (a local folder as a store). On a cold cache each file's size and time is a disk read, and one thread
/// waits for them one at a time: 300,000 files in 600 folders took 9.6 s on one thread (docs/benchmarks.md, session 10).
/// Dedicated threads, not the thread pool, do the blocking reads: one for the first folder, more as subfolders turn up.
/// Folders are taken last-in first-out, so the queue holds about what a depth-first walk would, not a whole level of a
/// wide tree. Symbolic links are neither followed nor listed; a folder that disappears during the walk (the first one
/// too) lists nothing.
/// Any other error ends the walk and is thrown to the reader after what was already handed over; a cancelled walk
/// throws <see cref="OperationCanceledException"/>, never ends as if it were complete.
/// </summary>
internal static class ParallelFolderWalk
{
    /// <summary>Threads reading folders at once: as fast as eight on 300,000 files, with less memory (docs/architecture.md).</summary>
    internal const int Threads = 4;

    /// <summary>Files handed over together, so that the channel is not touched per file.</summary>
    private const int BatchSize = 256;

    private static readonly EnumerationOptions AllEntries = new() { AttributesToSkip = 0, IgnoreInaccessible = false, RecurseSubdirectories = false };

    /// <summary>A listed file: its full path, size and last write time (UTC).</summary>
    internal readonly record struct Entry(string FullPath, long Length, DateTimeOffset LastWriteTimeUtc);

    /// <summary>Every file under <paramref name="start"/> whose name <paramref name="includeName"/> accepts.</summary>
    public static async IAsyncEnumerable<Entry> WalkAsync(string start, Func<string, bool> includeName, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var walk = new Walk(start, includeName, stop.Token);
        walk.StartThread();
        try
        {
            await foreach (var batch in walk.Found.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                cancellationToken.ThrowIfCancellationRequested();
                foreach (var entry in batch)
                {
                    yield return entry;
                }
            }

            cancellationToken.ThrowIfCancellationRequested();
        }
        finally
        {
            // The reader stopped early, failed or finished: stop the threads and wait for them either way.
            await stop.CancelAsync().ConfigureAwait(false);
            await walk.Stopped.ConfigureAwait(false);
        }
    }

    /// <summary>True for a symbolic link or junction; other Windows reparse points (cloud placeholders) are listed or walked like any file or folder.</summary>
    private static bool IsLink(ref FileSystemEntry entry) =>
        (entry.Attributes & FileAttributes.ReparsePoint) != 0 && (!OperatingSystem.IsWindows() || entry.ToFileSystemInfo().LinkTarget is not null);

    /// <summary>The state shared by one walk's threads.</summary>
    private sealed class Walk(string start, Func<string, bool> includeName, CancellationToken cancellationToken) : IDisposable
    {
        private readonly BlockingCollection<string> _folders = new(new ConcurrentStack<string>()) { start };
        private readonly TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>Folders queued or being read; the walk is over when it drops to zero.</summary>
        private int _unfinished = 1;

        /// <summary>Threads started, and those still running; the last to stop completes <see cref="Found"/>.</summary>
        private int _started;
        private int _running;
        private Exception? _failure;

        public Channel<Entry[]> Found { get; } = Channel.CreateBounded<Entry[]>(new BoundedChannelOptions(Threads * 4) { SingleReader = true });

        /// <summary>Completes when every thread has stopped.</summary>
        public Task Stopped => _stopped.Task;

        /// <summary>Starts one more reading thread unless <see cref="Threads"/> have been started.</summary>
        public void StartThread()
        {
            var started = Volatile.Read(ref _started);
            if (started >= Threads || Interlocked.CompareExchange(ref _started, started + 1, started) != started)
            {
                return;
            }

            // Counted before it starts, and only ever by a running thread or the reader before the first: the count
            // cannot reach zero while another thread is about to start.
            Interlocked.Increment(ref _running);
            Task.Factory.StartNew(Work, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        }

        public void Dispose() => _folders.Dispose();

        private void Work()
        {
            try
            {
                foreach (var folder in _folders.GetConsumingEnumerable(cancellationToken))
                {
                    if (Volatile.Read(ref _failure) is not null)
                    {
                        return;
                    }

                    Read(folder);
                    if (Interlocked.Decrement(ref _unfinished) == 0)
                    {
                        _folders.CompleteAdding();
                    }
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                // Stopped by the reader, or by the caller's token, which the reader then throws.
            }
            catch (Exception ex)
            {
                Interlocked.CompareExchange(ref _failure, ex, null);
                _folders.CompleteAdding();
            }
            finally
            {
                if (Interlocked.Decrement(ref _running) == 0)
                {
                    Found.Writer.TryComplete(_failure);
                    _stopped.TrySetResult();
                }
            }
        }

        private void Read(string folder)
        {
            var batch = new List<Entry>(BatchSize);
            try
            {
                var entries = new FileSystemEnumerable<(string Path, bool IsFolder, long Length, DateTimeOffset Written)>(
                    folder,
                    (ref FileSystemEntry entry) => (entry.ToFullPath(), entry.IsDirectory, entry.IsDirectory ? 0 : entry.Length, entry.IsDirectory ? default : entry.LastWriteTimeUtc),
                    AllEntries)
                {
                    ShouldIncludePredicate = (ref FileSystemEntry entry) => !IsLink(ref entry) && (entry.IsDirectory || includeName(entry.FileName.ToString())),
                };
                foreach (var (path, isFolder, length, written) in entries)
                {
                    if (isFolder)
                    {
                        Interlocked.Increment(ref _unfinished);
                        _folders.Add(path, cancellationToken);
                        StartThread();
                        continue;
                    }

                    batch.Add(new Entry(path, length, written));
                    if (batch.Count == BatchSize)
                    {
                        HandOver(batch);
                        batch = new List<Entry>(BatchSize);
                    }
                }
            }
            catch (DirectoryNotFoundException)
            {
                // Deleted while the walk was under way (before or while it was opened): it lists nothing more.
            }

            if (batch.Count > 0)
            {
                HandOver(batch);
            }
        }

        /// <summary>Waits (this is a dedicated thread) until the reader has room, so the walk never runs far ahead of it.</summary>
        private void HandOver(List<Entry> batch)
        {
            var array = batch.ToArray();
            while (!Found.Writer.TryWrite(array))
            {
                if (!Found.Writer.WaitToWriteAsync(cancellationToken).AsTask().GetAwaiter().GetResult())
                {
                    return;
                }
            }
        }
    }
}
