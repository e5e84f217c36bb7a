namespace Ferry.Core.Storage;

/// <summary>
/// The order in which <see cref="Transfer.SourceScanner"/> finds files, as a comparison of their '/'-separated paths: a folder's
/// files first, in ordinal order of their names, then its subfolders one whole subtree at a time, also in ordinal order.
/// <c>b/z</c> comes before <c>b/a/x</c>, and <c>a/x</c> before <c>a-b/x</c> (unlike a plain ordinal comparison of the
/// paths). Two walks in this order can be compared in one pass, as a merge (<see cref="Transfer.DestinationCursor"/>);
/// a store that lists in it says so with <see cref="IScanOrderListingObjectStore"/>.
/// </summary>
public static class ScanOrder
{
    /// <summary>Negative when <paramref name="left"/> is found before <paramref name="right"/>, zero when they are the same path, positive after.</summary>
    public static int Compare(string left, string right)
    {
        ArgumentNullException.ThrowIfNull(left);
        ArgumentNullException.ThrowIfNull(right);
        var common = left.AsSpan().CommonPrefixLength(right);
        if (common == left.Length && common == right.Length)
        {
            return 0;
        }

        // The first name in which they differ, and whether it is the file's own name or a folder on the way.
        var start = common == 0 ? 0 : left.LastIndexOf('/', common - 1) + 1;
        var leftEnd = left.IndexOf('/', start);
        var rightEnd = right.IndexOf('/', start);
        var leftIsFile = leftEnd < 0;
        var rightIsFile = rightEnd < 0;
        if (leftIsFile != rightIsFile)
        {
            return leftIsFile ? -1 : 1;
        }

        var leftName = left.AsSpan(start, (leftIsFile ? left.Length : leftEnd) - start);
        var rightName = right.AsSpan(start, (rightIsFile ? right.Length : rightEnd) - start);
        return leftName.SequenceCompareTo(rightName);
    }
}
