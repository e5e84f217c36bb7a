namespace Ferry.Core.Checks;

/// <summary>
/// The findings of one check run, from many workers: all of them, or — when only the first few are shown (as
/// <c>ferry upload --check</c> does) — the first <c>keep</c> in report order plus a count, so memory stays flat
/// however many files are damaged. Every finding is also counted under its folder (<paramref name="folderOf"/> of its
/// path), so the per-folder counts are exact whatever is kept.
/// </summary>
internal sealed class FindingCollector(int? keep, Func<string, string> folderOf)
{
    private static readonly Comparer<CheckFinding> ReportOrder = Comparer<CheckFinding>.Create((a, b) =>
    {
        var byPath = string.CompareOrdinal(a.Path, b.Path);
        if (byPath != 0)
        {
            return byPath;
        }

        var byProblem = a.Problem.CompareTo(b.Problem);
        return byProblem != 0 ? byProblem : string.CompareOrdinal(a.Message, b.Message);
    });

    private readonly Lock _lock = new();
    private readonly List<CheckFinding> _all = [];
    private readonly SortedSet<CheckFinding> _first = new(ReportOrder);
    private readonly Dictionary<string, long> _byFolder = new(StringComparer.Ordinal);
    private long _count;

    public long Count
    {
        get
        {
            lock (_lock)
            {
                return _count;
            }
        }
    }

    public void Add(CheckFinding finding)
    {
        lock (_lock)
        {
            _count++;
            var folder = folderOf(finding.Path);
            _byFolder[folder] = _byFolder.GetValueOrDefault(folder) + 1;
            if (keep is not { } limit)
            {
                _all.Add(finding);
                return;
            }

            if (_first.Add(finding) && _first.Count > limit)
            {
                _first.Remove(_first.Max!);
            }
        }
    }

    /// <summary>How many findings each folder has (all of them, kept or not).</summary>
    public IReadOnlyDictionary<string, long> CountsByFolder()
    {
        lock (_lock)
        {
            return new Dictionary<string, long>(_byFolder, StringComparer.Ordinal);
        }
    }

    /// <summary>The kept findings in report order: by path, then kind, then message.</summary>
    public IReadOnlyList<CheckFinding> Ordered()
    {
        lock (_lock)
        {
            return keep is null ? _all.Order(ReportOrder).ToArray() : _first.ToArray();
        }
    }
}
