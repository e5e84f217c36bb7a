using Ferry.Core.Journal;
using Ferry.Core.Storage;

namespace Ferry.Core.Duplicates;

/// <summary>
/// The content index of a destination as the local journal knows it: every object Ferry uploaded and verified there
/// (<c>objects</c>, indexed by destination, SHA-256 and size). A candidate counts only if the store still holds it
/// with the size and ETag the journal recorded (one HEAD per candidate), so a deleted or replaced object is never
/// named as the copy.
/// </summary>
public sealed class JournalContentIndex(TransferJournal journal, IListableObjectStore store) : IContentIndex
{
    /// <summary>Candidates checked per file at most (several keys may hold the same bytes).</summary>
    private const int MaximumCandidates = 4;

    public async Task<string?> FindDuplicateAsync(string key, long size, string sha256, bool skip, CancellationToken cancellationToken)
    {
        foreach (var candidate in journal.FindByContent(store.Identity, sha256, size, key, MaximumCandidates))
        {
            var head = await store.HeadAsync(candidate.Key, cancellationToken).ConfigureAwait(false);
            if (head is not null && head.Size == size
                && (candidate.ETag is null || string.Equals(head.ETag, candidate.ETag, StringComparison.OrdinalIgnoreCase)))
            {
                return candidate.Key;
            }
        }

        return null;
    }
}
