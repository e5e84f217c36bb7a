using System.IO.Enumeration;
using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using Ferry.Core.Storage;

namespace Ferry.Core.Transfer;

/// <summary>
/// Walks a source folder lazily and deterministically: a folder's files in ordinal order, then its
/// subfolders depth first (<see cref="ScanOrder"/>), so that memory holds a few folders' listings, never the whole tree.
/// Regular files are yielded; symlinks (unless followed), FIFOs, sockets, devices, unreadable folders (unless
/// <see cref="ScanOptions.FailOnUnreadableFolder"/>) and names that cannot become object keys are reported through
/// <see cref="ScanOptions.OnSkipped"/> and never opened.
/// </summary>
public sealed class SourceScanner
{
    private static readonly EnumerationOptions AllEntries = new() { AttributesToSkip = 0, IgnoreInaccessible = false, RecurseSubdirectories = false };

    private readonly string _root;
    private readonly ScanOptions _options;

    /// <summary>The excluded folder as full paths are spelled here: absolute, no trailing separator (else it never matched).</summary>
    private readonly string? _excluded;

    public SourceScanner(string root, ScanOptions options)
    {
        _root = Path.GetFullPath(root);
        _options = options;
        _excluded = options.ExcludedPath is { } excluded ? Path.TrimEndingDirectorySeparator(Path.GetFullPath(excluded)) : null;
    }

    /// <summary>The files to transfer, one at a time, in the order <see cref="ScanBatchesAsync"/> hands them on.</summary>
    public async IAsyncEnumerable<SourceFile> ScanAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var batch in ScanBatchesAsync(cancellationToken).ConfigureAwait(false))
        {
            foreach (var file in batch)
            {
                yield return file;
            }
        }
    }

    /// <summary>
    /// The files to transfer, a few dozen at a time: those of one chunk of a folder's entries, as they were probed (at
    /// most <see cref="FolderEntryProber.ChunkSize"/>, never from two folders). A consumer that asks something per file
    /// (the upload planner's journal look-ups) can ask for a batch at once. The chunk's skipped entries are reported to
    /// <see cref="ScanOptions.OnSkipped"/> before its batch is handed on.
    /// </summary>
    public async IAsyncEnumerable<IReadOnlyList<SourceFile>> ScanBatchesAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var visited = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<(string Path, string Relative)>();
        pending.Push((_root, ""));
        RememberVisit(visited, _root);
        var yielded = 0;
        var prober = new FolderEntryProber();
        await using var proberDisposal = prober.ConfigureAwait(false);
        Prefetch? prefetched = null;
        while (pending.TryPop(out var folder))
        {
            cancellationToken.ThrowIfCancellationRequested();
            string[] names;
            try
            {
                var ahead = prefetched is { } guess && string.Equals(guess.Path, folder.Path, StringComparison.Ordinal) ? guess.Read : null;
                var read = ahead is null ? ReadFolder(folder.Path, _options.FollowSymlinks) : await ahead.ConfigureAwait(false);
                read.Failure?.Throw();
                names = read.Names;

                // The folder after this one is read while this one is probed and handed on: on a cold cache its read is a
                // disk wait that would otherwise stall the probing threads at every folder. It is this folder's first
                // subfolder (the directory entries say which are folders), else the folder on top of the stack; a wrong
                // guess (the excluded folder) costs one read, thrown away. The read blocks in the kernel, so it has a
                // thread of its own, not the pool's, which runs the rest of the upload.
                var next = read.FirstSubfolder is { } first && !string.Equals(first, _excluded, StringComparison.Ordinal)
                    ? first
                    : pending.TryPeek(out var top) ? top.Path : null;
                prefetched = next is null ? null : new Prefetch(next, Task.Factory.StartNew(
                    () => ReadFolder(next, _options.FollowSymlinks), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default));
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                if (_options.FailOnUnreadableFolder)
                {
                    if (ex is DirectoryNotFoundException)
                    {
                        continue; // gone since it was found: nothing in it to list
                    }

                    throw;
                }

                _options.OnSkipped?.Invoke(new SkippedEntry(folder.Relative, $"folder not readable: {ex.Message}"));
                continue;
            }

            Array.Sort(names, StringComparer.Ordinal);
            var paths = names.Select(name => Path.Combine(folder.Path, name))
                .Where(full => !string.Equals(full, _excluded, StringComparison.Ordinal))
                .ToArray();
            var subfolders = new List<(string, string)>();
            await foreach (var chunk in prober.ProbeAsync(paths, cancellationToken).ConfigureAwait(false))
            {
                var batch = new List<SourceFile>(chunk.Count);
                for (var i = 0; i < chunk.Count; i++)
                {
                    var full = paths[chunk.Start + i];
                    var name = Path.GetFileName(full);
                    var relative = folder.Relative.Length == 0 ? name : folder.Relative + "/" + name;
                    var entry = chunk.Entries[i];
                    var kind = entry.Kind;
                    if (kind == FileKind.SymbolicLink)
                    {
                        if (!_options.FollowSymlinks)
                        {
                            _options.OnSkipped?.Invoke(new SkippedEntry(relative, "symbolic link (use --follow-symlinks to follow)"));
                            continue;
                        }

                        kind = ResolveLink(full, relative, visited);
                    }

                    switch (kind)
                    {
                        case FileKind.Directory when _options.FollowSymlinks && !RememberVisit(visited, full):
                            _options.OnSkipped?.Invoke(new SkippedEntry(relative, "folder already visited (symlink loop)"));
                            break;
                        case FileKind.Directory:
                            subfolders.Add((full, relative));
                            break;
                        case FileKind.Regular:
                            if (KeyProblem(relative) is { } problem)
                            {
                                _options.OnSkipped?.Invoke(new SkippedEntry(relative, problem));
                            }
                            else if (_options.Filter.Matches(relative)
                                && (entry.Kind == FileKind.Regular ? new SourceFile(relative, full, entry.Size, entry.LastWriteTicks) : Describe(full, relative)) is { } file)
                            {
                                batch.Add(file);
                            }

                            break;
                        case FileKind.Missing:
                        case FileKind.SymbolicLink:
                            break;
                        default:
                            _options.OnSkipped?.Invoke(new SkippedEntry(relative, $"not a regular file ({Describe(kind)})"));
                            break;
                    }
                }

                if (batch.Count > 0)
                {
                    yield return batch;
                    var before = yielded;
                    yielded += batch.Count;
                    if (yielded / 1024 != before / 1024)
                    {
                        await Task.Yield();
                    }
                }
            }

            for (var i = subfolders.Count - 1; i >= 0; i--)
            {
                pending.Push(subfolders[i]);
            }
        }
    }

    /// <summary>
    /// A folder's entry names, unsorted, and its first subfolder by ordinal name (a link to a folder only when links are
    /// followed). Where the file system's directory entries give each entry's type (ext4, XFS, Btrfs, tmpfs) that takes
    /// no call per file; a link and each subfolder cost one. A failure is returned, not thrown, so that a read ahead
    /// nobody waits for never faults a task.
    /// </summary>
    private static FolderRead ReadFolder(string folder, bool followLinks)
    {
        try
        {
            var names = new List<string>();
            string? firstSubfolder = null;
            var entries = new FileSystemEnumerable<(string Name, bool IsFolder)>(folder, (ref FileSystemEntry entry) => (entry.FileName.ToString(), entry.IsDirectory && (followLinks || (entry.Attributes & FileAttributes.ReparsePoint) == 0)), AllEntries);
            foreach (var (name, isFolder) in entries)
            {
                names.Add(name);
                if (isFolder && (firstSubfolder is null || string.CompareOrdinal(name, firstSubfolder) < 0))
                {
                    firstSubfolder = name;
                }
            }

            return new FolderRead(names.ToArray(), firstSubfolder is null ? null : Path.Combine(folder, firstSubfolder), null);
        }
        catch (Exception ex)
        {
            return new FolderRead([], null, ExceptionDispatchInfo.Capture(ex));
        }
    }

    /// <summary>What <see cref="ReadFolder"/> found, or how it failed.</summary>
    private readonly record struct FolderRead(string[] Names, string? FirstSubfolder, ExceptionDispatchInfo? Failure);

    /// <summary>A folder being read ahead of the scan.</summary>
    private sealed record Prefetch(string Path, Task<FolderRead> Read);

    private FileKind ResolveLink(string full, string relative, HashSet<string> visited)
    {
        try
        {
            var target = new FileInfo(full).ResolveLinkTarget(returnFinalTarget: true);
            if (target is null || !target.Exists && !Directory.Exists(target.FullName))
            {
                _options.OnSkipped?.Invoke(new SkippedEntry(relative, "broken symbolic link"));
                return FileKind.Missing;
            }

            var kind = FileKindProbe.Probe(target.FullName);
            if (kind == FileKind.Directory && visited.Contains(RealPath(target.FullName)))
            {
                _options.OnSkipped?.Invoke(new SkippedEntry(relative, "symbolic link loop"));
                return FileKind.Missing;
            }

            return kind;
        }
        catch (IOException ex)
        {
            _options.OnSkipped?.Invoke(new SkippedEntry(relative, $"symbolic link cannot be resolved: {ex.Message}"));
            return FileKind.Missing;
        }
    }

    private static bool RememberVisit(HashSet<string> visited, string folder) => visited.Add(RealPath(folder));

    private static string RealPath(string path)
    {
        var info = new DirectoryInfo(path);
        return info.ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? info.FullName;
    }

    /// <summary>A file read again through the link that led to it (the prober read the link itself); null when it is gone.</summary>
    private static SourceFile? Describe(string full, string relative)
    {
        var info = new FileInfo(full);
        if (!info.Exists)
        {
            return null;
        }

        return new SourceFile(relative, full, info.Length, info.LastWriteTimeUtc.Ticks);
    }

    private string? KeyProblem(string relative)
    {
        if (relative.Contains('\uFFFD', StringComparison.Ordinal))
        {
            return "name is not valid UTF-8, so it cannot be an object key";
        }

        var key = ObjectKey.Join(_options.KeyPrefix, relative);
        return ObjectKey.FindProblem(key) is { } problem ? $"name cannot be an object key: {problem}" : null;
    }

    private static string Describe(FileKind kind) => kind switch
    {
        FileKind.Fifo => "FIFO",
        FileKind.Socket => "socket",
        FileKind.CharacterDevice => "character device",
        FileKind.BlockDevice => "block device",
        _ => "special file",
    };
}
