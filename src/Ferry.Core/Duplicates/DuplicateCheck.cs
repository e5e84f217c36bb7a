using System.Collections.Concurrent;

namespace Ferry.Core.Duplicates;

/// <summary>
/// One run's use of a content index: asks it once per hashed file, throws <see cref="DuplicateContentException"/>
/// when the run skips duplicates, and otherwise remembers the copy so the file's record names it.
/// </summary>
internal sealed class DuplicateCheck(IContentIndex index, bool skip)
{
    private readonly ConcurrentDictionary<string, string> _found = new(StringComparer.Ordinal);

    /// <summary>Call after hashing, before sending: throws when the file is a duplicate and the run skips them.</summary>
    public async Task CheckAsync(string key, long size, string sha256, CancellationToken cancellationToken)
    {
        if (await index.FindDuplicateAsync(key, size, sha256, skip, cancellationToken).ConfigureAwait(false) is not { } copy)
        {
            return;
        }

        if (skip)
        {
            throw new DuplicateContentException(copy, sha256, size);
        }

        _found[key] = copy;
    }

    /// <summary>The key <paramref name="key"/>'s bytes duplicate, found while it was uploaded (and forgotten now), or null.</summary>
    public string? Take(string key) => _found.TryRemove(key, out var copy) ? copy : null;
}
