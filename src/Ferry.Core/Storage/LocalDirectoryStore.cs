using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using Ferry.Core.Transfer;
using Microsoft.Win32.SafeHandles;

namespace Ferry.Core.Storage;

/// <summary>
/// A directory on a local or mounted file system as a store: key <c>a/b.txt</c> is the file
/// <c>ROOT/a/b.txt</c>. Writes go to a hidden temporary file beside the target and are renamed
/// into place, so an object appears whole or not at all. The ETag is opaque (size and
/// modification time); the SHA-256 is computed from the bytes on <see cref="HeadAsync"/>.
/// Each write is flushed to disk before it is renamed into place, unless the caller defers that
/// (<see cref="ObjectWriteOptions.DeferDurability"/>, Linux) and flushes a batch with <see cref="MakeDurableAsync"/>.
/// </summary>
public sealed class LocalDirectoryStore : IObjectStore, IDurabilityBarrier, IScanOrderListingObjectStore
{
    /// <summary>Name prefix of in-flight temporary files; they never appear in listings.</summary>
    internal const string TemporaryFilePrefix = ".ferry-tmp-";

    /// <summary>How many created folders <see cref="EnsureFolder"/> remembers before it forgets them all.</summary>
    private const int MaximumCreatedFolders = 4096;

    /// <summary>Random bytes per temporary name, as many as a GUID's.</summary>
    private const int TemporaryNameBytes = 16;

    private readonly string _root;

    /// <summary>
    /// Each file system that holds a deferred write, with the descriptor opened before the first of them to flush it
    /// through (so its flush reports every write-back error since); open for the life of the process.
    /// </summary>
    private readonly ConcurrentDictionary<ulong, (int Fd, string Folder)> _deferredFileSystems = new();
    private readonly Lock _opening = new();

    /// <summary>Per file system met: whether its syncfs reaches the disk (else each write there is flushed on its own).</summary>
    private readonly ConcurrentDictionary<ulong, bool> _reliableFileSystems = new();

    private readonly Lazy<bool> _canDefer;

    /// <summary>
    /// Folders this store has created or found, so that a write does not create its folder again (a failing mkdir and a
    /// stat per file). Cleared at <see cref="MaximumCreatedFolders"/>, so a tree of very many folders cannot grow it
    /// without bound.
    /// </summary>
    private readonly ConcurrentDictionary<string, bool> _createdFolders = new(StringComparer.Ordinal);

    /// <summary>Random bytes for temporary names, read from the system's generator a block at a time, not once per file.</summary>
    private readonly byte[] _nameEntropy = new byte[256 * TemporaryNameBytes];
    private int _nameEntropyUsed = 256 * TemporaryNameBytes;
    private readonly Lock _naming = new();

    /// <summary>The first failed flush: every later one fails too, since its error may belong to a later batch's file.</summary>
    private string? _flushFailure;

    public LocalDirectoryStore(string root)
    {
        _root = Path.GetFullPath(root);
        _canDefer = new Lazy<bool>(() => FileSystemFlush.IsSupported && DeferrableDevice(NearestExisting(_root)) is not null);
    }

    public string Description => _root;

    public string Identity => "file:" + _root;

    /// <summary>True on 64-bit Linux when the root lies on a file system whose syncfs reaches the disk (ext4, XFS, Btrfs…; not FUSE or network).</summary>
    public bool CanDeferDurability => _canDefer.Value;

    public async IAsyncEnumerable<StoredObject> ListAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var slash = prefix.LastIndexOf('/');
        var startRelative = slash < 0 ? "" : prefix[..slash];
        var start = startRelative.Length == 0 ? _root : Path.Combine(_root, startRelative);
        if (!Directory.Exists(start))
        {
            yield break;
        }

        await foreach (var file in ParallelFolderWalk.WalkAsync(start, name => !name.StartsWith(TemporaryFilePrefix, StringComparison.Ordinal), cancellationToken).ConfigureAwait(false))
        {
            var key = Path.GetRelativePath(_root, file.FullPath).Replace(Path.DirectorySeparatorChar, '/');
            if (key.StartsWith(prefix, StringComparison.Ordinal))
            {
                yield return Describe(key, file.Length, file.LastWriteTimeUtc);
            }
        }
    }

    /// <summary>
    /// Walks the folder with <see cref="SourceScanner"/>, the walk an upload makes of its source, so the order is
    /// <see cref="ScanOrder"/> by construction. Links, special files and Ferry's temporary files are not listed, as in
    /// <see cref="ListAsync(string, CancellationToken)"/>; a folder that cannot be read fails the listing; one removed
    /// during the walk lists nothing.
    /// </summary>
    public async IAsyncEnumerable<StoredObject> ListInScanOrderAsync(string folderKey, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var start = folderKey.Length == 0 ? _root : PathOf(folderKey);
        if (!Directory.Exists(start))
        {
            yield break;
        }

        var scanner = new SourceScanner(start, new ScanOptions { KeyPrefix = folderKey, FailOnUnreadableFolder = true });
        await foreach (var file in scanner.ScanAsync(cancellationToken).ConfigureAwait(false))
        {
            if (!file.RelativePath.AsSpan(file.RelativePath.LastIndexOf('/') + 1).StartsWith(TemporaryFilePrefix, StringComparison.Ordinal))
            {
                yield return Describe(ObjectKey.Join(folderKey, file.RelativePath), file.Size, file.LastWriteUtc);
            }
        }
    }

    public async Task<StoredObject?> HeadAsync(string key, CancellationToken cancellationToken)
    {
        var file = new FileInfo(PathOf(key));
        if (!file.Exists)
        {
            return null;
        }

        var stream = new FileStream(file.FullName, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1, FileOptions.Asynchronous | FileOptions.SequentialScan);
        await using var streamDisposal = stream.ConfigureAwait(false);
        var sha256 = Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, cancellationToken).ConfigureAwait(false));
        return Describe(key, file) with { Sha256 = sha256 };
    }

    public async Task<StoredObject> PutAsync(string key, Stream content, long length, ObjectWriteOptions options, CancellationToken cancellationToken)
    {
        var target = PathOf(key);
        if (Path.GetFileName(target).StartsWith(TemporaryFilePrefix, StringComparison.Ordinal))
        {
            // Listings skip Ferry's temporary files, so such a copy would never be found, and every run would copy it again.
            throw new StoreException(StoreErrorKind.Other, $"the key {key} cannot be stored in a local folder: names starting with {TemporaryFilePrefix} are Ferry's temporary files there; rename the file");
        }

        var directory = Path.GetDirectoryName(target)!;
        var temporary = Path.Combine(directory, NextTemporaryName());
        var renamed = false;
        try
        {
            EnsureFolder(directory);
            SafeFileHandle created;
            try
            {
                created = File.OpenHandle(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None);
            }
            catch (DirectoryNotFoundException)
            {
                // A delete pruned the empty folder since this store created it.
                _createdFolders.TryRemove(directory, out _);
                Directory.CreateDirectory(directory);
                created = File.OpenHandle(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None);
            }

            string writtenSha256;
            DateTime? writtenAt = null;
            using (created)
            {
                // The file system of the file itself, read before its first byte is written: the flush must cover it.
                var deferredOn = options.DeferDurability && CanDeferDurability ? DeferrableDevice(created, directory) : null;
                if (deferredOn is { } device && !_deferredFileSystems.ContainsKey(device) && !TryOpenForFlush(device, directory))
                {
                    deferredOn = null; // no way to flush it later: flush this write on its own
                }

                writtenSha256 = await CopyExactlyAsync(content, created, length, cancellationToken).ConfigureAwait(false);
                if (deferredOn is null)
                {
                    RandomAccess.FlushToDisk(created);
                }
                else
                {
                    // Writes are deferred only on local file systems (ext4, XFS, Btrfs, tmpfs…): they set the time at each
                    // write and keep it through the rename, so the handle's time is the one a listing reads later.
                    writtenAt = File.GetLastWriteTimeUtc(created);
                }
            }

            File.Move(temporary, target, overwrite: true);
            renamed = true;

            var stored = writtenAt is { } time ? Describe(key, length, new DateTimeOffset(time, TimeSpan.Zero)) : Describe(key, new FileInfo(target));
            return stored with { Sha256 = writtenSha256, Sha256IsOfWrittenBytes = true };
        }
        catch (IOException ex) when (LocalDiskErrors.IsDiskFull(ex))
        {
            throw new StoreException(StoreErrorKind.LocalStorage, $"no space left on the device holding {_root}; free some space and run again", ex);
        }
        catch (UnauthorizedAccessException ex)
        {
            throw new StoreException(StoreErrorKind.AccessDenied, $"cannot write {target}: permission denied; check the directory's permissions", ex);
        }
        finally
        {
            if (!renamed && File.Exists(temporary))
            {
                File.Delete(temporary);
            }
        }
    }

    /// <summary>
    /// One syncfs of the root's file system and of each other one that has held a deferred write, through the descriptor
    /// opened before its first deferred write (a write-back error since then fails the flush). The data and the renames of every
    /// deferred write that returned before this call are on disk when it returns, and so is what an earlier run that
    /// ended before its flush left under the root. Once a flush has failed, every later one fails too.
    /// </summary>
    public Task MakeDurableAsync(CancellationToken cancellationToken)
    {
        if (_flushFailure is { } failed)
        {
            throw new StoreException(StoreErrorKind.LocalStorage, failed);
        }

        if (!CanDeferDurability || !Directory.Exists(_root))
        {
            return Task.CompletedTask;
        }

        return Task.Run(
            () =>
            {
                try
                {
                    // The root's file system always (what an earlier run left there), and each other one written.
                    var rootDevice = FileSystemFlush.DeviceOf(_root);
                    if (!_deferredFileSystems.ContainsKey(rootDevice))
                    {
                        FileSystemFlush.Flush(_root);
                    }

                    foreach (var (fd, folder) in _deferredFileSystems.Values)
                    {
                        FileSystemFlush.Flush(fd, folder);
                    }
                }
                catch (IOException ex)
                {
                    _flushFailure = $"{_root}: {ex.Message}; nothing written there is moved for the rest of this run";
                    throw new StoreException(StoreErrorKind.LocalStorage, _flushFailure, ex);
                }
            },
            cancellationToken);
    }

    /// <summary>Creates <paramref name="folder"/> and its parents unless this store has already created or found it.</summary>
    private void EnsureFolder(string folder)
    {
        if (_createdFolders.ContainsKey(folder))
        {
            return;
        }

        Directory.CreateDirectory(folder);
        if (_createdFolders.Count >= MaximumCreatedFolders)
        {
            _createdFolders.Clear();
        }

        _createdFolders[folder] = true;
    }

    /// <summary>
    /// A name for a temporary file: the prefix and 16 bytes from the system's random generator (as a GUID has), so that
    /// no one can guess the next one; the bytes are read a block at a time.
    /// </summary>
    private string NextTemporaryName()
    {
        Span<byte> unique = stackalloc byte[TemporaryNameBytes];
        lock (_naming)
        {
            if (_nameEntropyUsed == _nameEntropy.Length)
            {
                RandomNumberGenerator.Fill(_nameEntropy);
                _nameEntropyUsed = 0;
            }

            _nameEntropy.AsSpan(_nameEntropyUsed, TemporaryNameBytes).CopyTo(unique);
            _nameEntropyUsed += TemporaryNameBytes;
        }

        return TemporaryFilePrefix + Convert.ToHexStringLower(unique);
    }

    /// <summary>
    /// Opens the descriptor to flush <paramref name="device"/> through, once, before the first deferred write there (so
    /// its flush reports that write's write-back errors); false when it cannot be opened.
    /// </summary>
    private bool TryOpenForFlush(ulong device, string folder)
    {
        lock (_opening)
        {
            try
            {
                if (!_deferredFileSystems.ContainsKey(device))
                {
                    _deferredFileSystems[device] = (FileSystemFlush.OpenForFlush(folder), folder);
                }

                return true;
            }
            catch (IOException)
            {
                return false;
            }
        }
    }

    /// <summary>
    /// The device of <paramref name="folder"/> when writes there may be deferred (its file system's syncfs reaches the
    /// disk); null when not, or when the system cannot tell (then each write is flushed on its own).
    /// </summary>
    private ulong? DeferrableDevice(string folder)
    {
        try
        {
            return IfDeferrable(FileSystemFlush.DeviceOf(folder), folder);
        }
        catch (Exception ex) when (ex is IOException or EntryPointNotFoundException or DllNotFoundException)
        {
            return null;
        }
    }

    /// <summary>As <see cref="DeferrableDevice(string)"/>, for the file system that holds the open <paramref name="file"/> in <paramref name="folder"/>.</summary>
    private ulong? DeferrableDevice(SafeFileHandle file, string folder)
    {
        try
        {
            return IfDeferrable(FileSystemFlush.DeviceOf(file, folder), folder);
        }
        catch (Exception ex) when (ex is IOException or EntryPointNotFoundException or DllNotFoundException)
        {
            return null;
        }
    }

    /// <summary><paramref name="device"/> when its file system's syncfs reaches the disk (asked once per device), else null.</summary>
    private ulong? IfDeferrable(ulong device, string folder) =>
        _reliableFileSystems.GetOrAdd(device, static (_, path) => FileSystemFlush.FlushesReliably(path), folder) ? device : null;

    /// <summary>
    /// The folder itself or, when a delete pruned it, its nearest parent that exists: a mount point cannot be removed,
    /// so that parent is on the same file system.
    /// </summary>
    private static string NearestExisting(string folder)
    {
        while (!Directory.Exists(folder) && Path.GetDirectoryName(folder) is { } parent)
        {
            folder = parent;
        }

        return folder;
    }

    public Task<ObjectContent> ReadAsync(string key, long offset, long? length, CancellationToken cancellationToken)
    {
        var path = PathOf(key);
        var file = new FileInfo(path);
        if (!file.Exists)
        {
            throw new StoreException(StoreErrorKind.NotFound, $"{path} does not exist");
        }

        var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1 << 16, FileOptions.Asynchronous | FileOptions.SequentialScan);
        stream.Seek(Math.Min(offset, file.Length), SeekOrigin.Begin);
        var available = Math.Max(0, file.Length - offset);
        Stream content = new BoundedReadStream(stream, length is { } wanted ? Math.Min(wanted, available) : available);
        return Task.FromResult(new ObjectContent(Describe(key, file), content));
    }

    public Task DeleteAsync(string key, CancellationToken cancellationToken)
    {
        var path = PathOf(key);
        try
        {
            File.Delete(path);
        }
        catch (DirectoryNotFoundException)
        {
            return Task.CompletedTask; // a missing key (its folder too): nothing to delete
        }

        PruneEmptyFolders(Path.GetDirectoryName(path)!);
        return Task.CompletedTask;
    }

    /// <summary>
    /// Removes <paramref name="folder"/> and its parents up to the root while they are empty: a deleted key leaves no
    /// folder named after it (an erased donor's pseudonym is a folder name). A folder that fills meanwhile stays.
    /// </summary>
    internal void PruneEmptyFolders(string folder)
    {
        var root = Path.TrimEndingDirectorySeparator(_root);
        while (folder.Length > root.Length && folder.StartsWith(root, StringComparison.Ordinal))
        {
            try
            {
                if (Directory.EnumerateFileSystemEntries(folder).Any())
                {
                    return;
                }

                Directory.Delete(folder);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                return; // filled meanwhile, or already gone: either way nothing to prune here
            }

            folder = Path.GetDirectoryName(folder)!;
        }
    }

    public Task CheckAccessAsync(CancellationToken cancellationToken)
    {
        try
        {
            Directory.CreateDirectory(_root);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new StoreException(StoreErrorKind.ContainerNotFound, $"cannot create the destination directory {_root}: {ex.Message}", ex);
        }

        return Task.CompletedTask;
    }

    /// <summary>
    /// The file for <paramref name="key"/>; throws <see cref="StoreException"/> (not retried) when the key would resolve outside the root — on Windows a backslash is a separator, so <c>..\</c> in a key
    /// that is harmless on Linux would climb out.
    /// </summary>
    private string PathOf(string key)
    {
        ObjectKey.Validate(key);
        var path = Path.GetFullPath(Path.Combine(_root, key.Replace('/', Path.DirectorySeparatorChar)));
        var root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(_root)) + Path.DirectorySeparatorChar;
        return path.StartsWith(root, OperatingSystem.IsWindows() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal)
            ? path
            : throw new StoreException(StoreErrorKind.Other, $"the key {key} would be written outside {_root}; it cannot be stored in a local folder here");
    }

    private static StoredObject Describe(string key, FileInfo file) => Describe(key, file.Length, new DateTimeOffset(file.LastWriteTimeUtc, TimeSpan.Zero));

    /// <summary>The ETag is the size and the modification time: what a listing and a look-up both read without opening the file.</summary>
    private static StoredObject Describe(string key, long length, DateTimeOffset modified) =>
        new(key, length, $"{length:x}-{modified.UtcTicks:x}", modified.ToUniversalTime());

    /// <summary>Copies exactly <paramref name="length"/> bytes into the new file; returns the SHA-256 (lower-case hex) of what it wrote.</summary>
    private static async Task<string> CopyExactlyAsync(Stream source, SafeFileHandle destination, long length, CancellationToken cancellationToken)
    {
        using var sha256 = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[(int)Math.Min(Math.Max(length, 1), 1 << 20)];
        var written = 0L;
        while (written < length)
        {
            var read = await source.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, length - written)), cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                throw new StoreException(StoreErrorKind.Other, $"the content ended {length - written} bytes before its declared length");
            }

            sha256.AppendData(buffer, 0, read);

            // Written on this thread: an asynchronous write to a file is this same blocking write on another pool thread.
            RandomAccess.Write(destination, buffer.AsSpan(0, read), written);
            written += read;
        }

        return Convert.ToHexStringLower(sha256.GetHashAndReset());
    }
}
