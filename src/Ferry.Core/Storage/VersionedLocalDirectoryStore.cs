using System.Runtime.CompilerServices;

namespace Ferry.Core.Storage;

/// <summary>
/// A local directory that keeps every version of every object, the way a versioned S3 bucket does: the current bytes
/// of key <c>a/b</c> are the file <c>ROOT/a/b</c> (as in <see cref="LocalDirectoryStore"/>), and every version ever
/// written is kept as <c>ROOT/.ferry-versions/a/b/VERSION</c>; a delete removes the current file and adds a delete
/// marker (<c>VERSION.delete-marker</c>) while the old versions stay. Version ids sort by time. Deleting the latest
/// version makes the one before it current again (its bytes return to <c>ROOT/a/b</c>), or, behind a delete marker,
/// leaves the key absent — S3's rules. Used to prove that erasure removes old versions and delete markers, which
/// s3rver cannot show (it has no versioning).
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA1001", Justification = "The SemaphoreSlim never allocates a wait handle (only WaitAsync is used), so it holds nothing to dispose.")]
public sealed class VersionedLocalDirectoryStore : IObjectStore, IVersionedObjectStore
{
    /// <summary>The folder under the root that holds the versions; never listed as objects.</summary>
    public const string VersionsFolder = ".ferry-versions";

    private const string MarkerSuffix = ".delete-marker";
    private static long _sequence;
    private readonly LocalDirectoryStore _current;
    private readonly string _root;
    private readonly SemaphoreSlim _gate = new(1, 1);

    public VersionedLocalDirectoryStore(string root)
    {
        _root = Path.GetFullPath(root);
        _current = new LocalDirectoryStore(_root);
    }

    public string Description => _root + " (versioned)";

    public string Identity => "file-versioned:" + _root;

    public async IAsyncEnumerable<StoredObject> ListAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var item in _current.ListAsync(prefix, cancellationToken).ConfigureAwait(false))
        {
            if (!item.Key.StartsWith(VersionsFolder + "/", StringComparison.Ordinal))
            {
                yield return item;
            }
        }
    }

    public Task<StoredObject?> HeadAsync(string key, CancellationToken cancellationToken) => _current.HeadAsync(CheckKey(key), cancellationToken);

    public Task<ObjectContent> ReadAsync(string key, long offset, long? length, CancellationToken cancellationToken) => _current.ReadAsync(CheckKey(key), offset, length, cancellationToken);

    public Task CheckAccessAsync(CancellationToken cancellationToken) => _current.CheckAccessAsync(cancellationToken);

    public async Task<StoredObject> PutAsync(string key, Stream content, long length, ObjectWriteOptions options, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var stored = await _current.PutAsync(CheckKey(key), content, length, options, cancellationToken).ConfigureAwait(false);
            var folder = VersionFolder(key);
            Directory.CreateDirectory(folder);
            File.Copy(Path.Combine(_root, key), Path.Combine(folder, NewVersionId()));
            return stored;
        }
        finally
        {
            _gate.Release();
        }
    }

    public async Task DeleteAsync(string key, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await _current.DeleteAsync(CheckKey(key), cancellationToken).ConfigureAwait(false);
            var folder = VersionFolder(key);
            Directory.CreateDirectory(folder);
            await File.WriteAllBytesAsync(Path.Combine(folder, NewVersionId() + MarkerSuffix), [], cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    public async IAsyncEnumerable<ObjectVersion> ListVersionsAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var versions = Path.Combine(_root, VersionsFolder);
        if (!Directory.Exists(versions))
        {
            yield break;
        }

        var byKey = Directory.EnumerateFiles(versions, "*", SearchOption.AllDirectories)
            .Select(f => (Key: Path.GetRelativePath(versions, Path.GetDirectoryName(f)!).Replace(Path.DirectorySeparatorChar, '/'), File: new FileInfo(f)))
            .Where(v => v.Key.StartsWith(prefix, StringComparison.Ordinal))
            .GroupBy(v => v.Key, StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal);
        foreach (var key in byKey)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var ordered = key.OrderByDescending(v => IdOf(v.File.Name), StringComparer.Ordinal).ToList();
            for (var i = 0; i < ordered.Count; i++)
            {
                var marker = ordered[i].File.Name.EndsWith(MarkerSuffix, StringComparison.Ordinal);
                yield return new ObjectVersion(key.Key, IdOf(ordered[i].File.Name), marker, i == 0, marker ? 0 : ordered[i].File.Length);
            }

            await Task.Yield();
        }
    }

    public async Task DeleteVersionAsync(string key, string versionId, CancellationToken cancellationToken)
    {
        ObjectKey.Validate(versionId);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var folder = VersionFolder(CheckKey(key));
            if (!Directory.Exists(folder))
            {
                return;
            }

            var latestBefore = Latest(folder);
            File.Delete(Path.Combine(folder, versionId));
            File.Delete(Path.Combine(folder, versionId + MarkerSuffix));
            var latest = Latest(folder);
            if (latest == latestBefore)
            {
                return;
            }

            // The latest version went: the one before it becomes current (S3's rule), or nothing when none is left or it is a marker.
            var current = Path.Combine(_root, key);
            if (latest is null || latest.EndsWith(MarkerSuffix, StringComparison.Ordinal))
            {
                if (File.Exists(current))
                {
                    File.Delete(current);
                }
            }
            else
            {
                Directory.CreateDirectory(Path.GetDirectoryName(current)!);
                File.Copy(Path.Combine(folder, latest), current, overwrite: true);
            }

            if (latest is null)
            {
                _current.PruneEmptyFolders(folder);
                _current.PruneEmptyFolders(Path.GetDirectoryName(current)!);
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    private static string? Latest(string folder) =>
        Directory.EnumerateFiles(folder).Select(Path.GetFileName).OrderByDescending(n => IdOf(n!), StringComparer.Ordinal).FirstOrDefault();

    private static string IdOf(string fileName) => fileName.EndsWith(MarkerSuffix, StringComparison.Ordinal) ? fileName[..^MarkerSuffix.Length] : fileName;

    private static string NewVersionId() => $"{DateTime.UtcNow.Ticks:x16}{Interlocked.Increment(ref _sequence):x8}";

    private string VersionFolder(string key) => Path.Combine(_root, VersionsFolder, key.Replace('/', Path.DirectorySeparatorChar));

    private static string CheckKey(string key)
    {
        ObjectKey.Validate(key);
        return key.StartsWith(VersionsFolder + "/", StringComparison.Ordinal)
            ? throw new StoreException(StoreErrorKind.Other, $"the key {key} is inside {VersionsFolder}/, where this store keeps its versions")
            : key;
    }
}
