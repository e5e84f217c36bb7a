using Ferry.Core.Storage;

namespace Ferry.Core.Privacy;

/// <summary>
/// Removes old versions and delete markers on a versioned store (<see cref="IVersionedObjectStore"/>; on S3
/// <c>ListObjectVersions</c> with the prefix, then <c>DeleteObject</c> with each <c>VersionId</c>). On any other store
/// there is nothing to remove and the result is null; so it is when the store answers that it does not implement
/// version listing (s3rver: 405/501, <see cref="StoreErrorKind.NotSupported"/>). Any other failure (access denied:
/// <c>s3:ListBucketVersions</c>, <c>s3:DeleteObjectVersion</c>) stops the caller.
/// </summary>
public static class VersionPurge
{
    /// <summary>Every version and delete marker under <paramref name="prefix"/>: nothing of those keys is left.</summary>
    public static Task<int?> RemoveAllVersionsAsync(IObjectStore store, string prefix, CancellationToken cancellationToken) =>
        RemoveAsync(store, prefix, keepCurrent: false, cancellationToken);

    /// <summary>Every version and delete marker under <paramref name="prefix"/> except each key's current (latest, not a marker) version.</summary>
    public static Task<int?> RemoveOlderVersionsAsync(IObjectStore store, string prefix, CancellationToken cancellationToken) =>
        RemoveAsync(store, prefix, keepCurrent: true, cancellationToken);

    /// <summary>Every version of one key (and its delete markers).</summary>
    public static async Task<int?> RemoveKeyAsync(IObjectStore store, string key, CancellationToken cancellationToken)
    {
        if (store is not IVersionedObjectStore versioned)
        {
            await store.DeleteAsync(key, cancellationToken).ConfigureAwait(false);
            return null;
        }

        await store.DeleteAsync(key, cancellationToken).ConfigureAwait(false);
        if (await ListAsync(versioned, key, cancellationToken).ConfigureAwait(false) is not { } listed)
        {
            return null;
        }

        var doomed = listed.Where(v => v.Key == key).ToList();

        foreach (var version in doomed)
        {
            await versioned.DeleteVersionAsync(version.Key, version.VersionId, cancellationToken).ConfigureAwait(false);
        }

        return doomed.Count;
    }

    private static async Task<int?> RemoveAsync(IObjectStore store, string prefix, bool keepCurrent, CancellationToken cancellationToken)
    {
        if (store is not IVersionedObjectStore versioned)
        {
            return null;
        }

        if (await ListAsync(versioned, prefix, cancellationToken).ConfigureAwait(false) is not { } listed)
        {
            return null;
        }

        var doomed = listed.Where(v => !(keepCurrent && v.IsLatest && !v.IsDeleteMarker)).ToList();

        // Oldest first: deleting the latest last means no older version is ever made current again on the way.
        foreach (var version in doomed.AsEnumerable().Reverse())
        {
            await versioned.DeleteVersionAsync(version.Key, version.VersionId, cancellationToken).ConfigureAwait(false);
        }

        return doomed.Count;
    }

    /// <summary>Every version under <paramref name="prefix"/>, or null when the store does not implement version listing.</summary>
    private static async Task<List<ObjectVersion>?> ListAsync(IVersionedObjectStore store, string prefix, CancellationToken cancellationToken)
    {
        var versions = new List<ObjectVersion>();
        try
        {
            await foreach (var version in store.ListVersionsAsync(prefix, cancellationToken).ConfigureAwait(false))
            {
                versions.Add(version);
            }
        }
        catch (StoreException ex) when (ex.Kind == StoreErrorKind.NotSupported)
        {
            return null;
        }

        return versions;
    }
}
