using Ferry.Core.Storage;

namespace Ferry.Server.Sessions;

/// <summary>
/// Looks up a batch of objects for verification with few requests: keys of one folder are read from one flat listing
/// of the range they span (ListObjectsV2 with <c>start-after</c>, no delimiter), and only what the listing cannot prove
/// is looked up with a HEAD each. The caller says what a listed object proves (<c>proves</c>); an object it does not
/// prove, a key the listing did not reach, a key alone in its folder, a key of a folder whose listing failed
/// transiently and a key the caller marks as needing HEAD are HEADed, so every "no" comes from a HEAD and a listing can
/// only ever say "yes".
/// </summary>
/// <remarks>
/// Bounds: a folder's range is read in pages of about twice its keys (at least <see cref="MinimumPage"/>, at most
/// 1,000) and for at most <see cref="MaximumPages"/> pages; when the bucket holds many other objects between the batch's
/// keys (a batch scattered over a large folder), the listing stops there and the rest is HEADed. The listing stops early
/// once it passes the folder's largest key (S3 lists in key order; a store that lists out of order only costs HEADs).
/// </remarks>
internal sealed class ListingLookup(IReadableObjectStore store, int concurrency)
{
    /// <summary>The smallest page asked for: a range rarely holds only the batch's keys.</summary>
    public const int MinimumPage = 32;

    /// <summary>Pages read per folder before the rest of its keys are HEADed.</summary>
    public const int MaximumPages = 4;

    /// <summary>How many keys were proven from listings and how many were HEADed, for the caller's trace.</summary>
    public int Listed { get; private set; }

    /// <inheritdoc cref="Listed"/>
    public int Headed { get; private set; }

    private int _listingFailures;

    /// <summary>How many folders' listings failed transiently (their keys were HEADed instead).</summary>
    public int ListingFailures => _listingFailures;

    /// <summary>The message of the last listing that failed transiently, or null.</summary>
    public string? LastListingFailure { get; private set; }

    /// <summary>
    /// The object for each key (null: not in the bucket, as HEAD answered): the listed entry where
    /// <paramref name="proves"/> accepts it (it carries no SHA-256: listings do not return metadata), else HEAD's answer.
    /// </summary>
    /// <param name="keys">The keys, one per report, in the caller's order.</param>
    /// <param name="listable">Whether key <c>i</c> may be proven from a listing at all (false: HEAD it).</param>
    /// <param name="proves">Whether the listed object proves key <c>i</c>'s upload.</param>
    public async Task<StoredObject?[]> FindAsync(IReadOnlyList<string> keys, Func<int, bool> listable, Func<int, StoredObject, bool> proves, CancellationToken cancellationToken)
    {
        var found = new StoredObject?[keys.Count];
        var proven = new bool[keys.Count];
        var folders = Enumerable.Range(0, keys.Count).Where(listable)
            .GroupBy(i => Folder(keys[i]), StringComparer.Ordinal)
            .Select(g => g.ToList())
            .Where(g => g.Count > 1) // one key: a HEAD costs what a listing costs and also reads the metadata
            .ToList();
        await Parallel.ForEachAsync(folders, new ParallelOptions { MaxDegreeOfParallelism = concurrency, CancellationToken = cancellationToken }, async (folder, ct) =>
        {
            var byKey = new Dictionary<string, List<int>>(StringComparer.Ordinal);
            foreach (var i in folder)
            {
                (byKey.TryGetValue(keys[i], out var same) ? same : byKey[keys[i]] = []).Add(i);
            }

            var sorted = byKey.Keys.Order(StringComparer.Ordinal).ToList();
            var (first, last) = (sorted[0], sorted[^1]);
            var pageSize = Math.Clamp(sorted.Count * 2, MinimumPage, 1000);
            var budget = pageSize * MaximumPages;
            var left = sorted.Count;
            try
            {
                await foreach (var entry in store.ListAsync(CommonPrefix(first, last), JustBefore(first), pageSize, ct))
                {
                    if (string.CompareOrdinal(entry.Key, last) > 0)
                    {
                        break;
                    }

                    if (byKey.TryGetValue(entry.Key, out var indexes))
                    {
                        foreach (var i in indexes)
                        {
                            if (proves(i, entry))
                            {
                                found[i] = entry;
                                proven[i] = true;
                            }
                        }

                        if (--left == 0)
                        {
                            break;
                        }
                    }

                    if (--budget == 0)
                    {
                        break;
                    }
                }
            }
            catch (StoreException ex) when (ex.Kind == StoreErrorKind.Transient && !ct.IsCancellationRequested)
            {
                // The listing only ever says "yes": what it did not prove before it failed is HEADed below, so a failed
                // page (a 500 from S3, a reset, a body cut short) costs HEADs rather than the whole batch's verdicts.
                // Other failures stand: a store that answers SlowDown is not sent a HEAD per key, and a missing bucket or
                // a refusal is the batch's answer, not a "not in the bucket" per file.
                Interlocked.Increment(ref _listingFailures);
                LastListingFailure = ex.Message;
            }
        });

        var unproven = Enumerable.Range(0, keys.Count).Where(i => !proven[i]).ToList();
        await Parallel.ForEachAsync(unproven, new ParallelOptions { MaxDegreeOfParallelism = concurrency, CancellationToken = cancellationToken },
            async (i, ct) => found[i] = await store.HeadAsync(keys[i], ct));
        Listed = keys.Count - unproven.Count;
        Headed = unproven.Count;
        return found;
    }

    /// <summary>The key's folder: everything up to and including its last '/', or empty at the top.</summary>
    private static string Folder(string key) => key[..(key.LastIndexOf('/') + 1)];

    /// <summary>
    /// A <c>start-after</c> that sorts just before <paramref name="key"/>: the key less its last character (and never half
    /// of a surrogate pair, since it is sent as UTF-8). Keys between it and <paramref name="key"/> are listed and ignored.
    /// </summary>
    private static string JustBefore(string key)
    {
        var length = key.Length - 1;
        if (length > 0 && char.IsHighSurrogate(key[length - 1]))
        {
            length--;
        }

        return key[..length];
    }

    /// <summary>The longest prefix both keys share (the range's listing prefix), never ending in half of a surrogate pair.</summary>
    private static string CommonPrefix(string a, string b)
    {
        var length = 0;
        while (length < a.Length && length < b.Length && a[length] == b[length])
        {
            length++;
        }

        if (length > 0 && char.IsHighSurrogate(a[length - 1]))
        {
            length--;
        }

        return a[..length];
    }
}
