namespace Ferry.Core.Privacy;

/// <summary>Hits per detector of a <see cref="FreeTextScrubber"/>, added up over a stream; not thread-safe (one per run).</summary>
public sealed class ScrubCounts
{
    private readonly long[] _hits = new long[FreeTextScrubber.Detectors.Count];

    internal void Add(int detector) => _hits[detector]++;

    public long this[string detector] => _hits[IndexOf(detector)];

    public long Total => _hits.Sum();

    /// <summary>Adds <paramref name="other"/>'s hits to these.</summary>
    public void Add(ScrubCounts other)
    {
        for (var i = 0; i < _hits.Length; i++)
        {
            _hits[i] += other._hits[i];
        }
    }

    /// <summary>Every detector with its hits (zeros included), sorted by name.</summary>
    public IReadOnlyDictionary<string, long> ToDictionary()
    {
        var result = new SortedDictionary<string, long>(StringComparer.Ordinal);
        for (var i = 0; i < _hits.Length; i++)
        {
            result[FreeTextScrubber.Detectors[i]] = _hits[i];
        }

        return result;
    }

    private static int IndexOf(string detector)
    {
        var index = FreeTextScrubber.IndexOf(detector);
        return index >= 0 ? index : throw new ArgumentException($"no detector '{detector}'", nameof(detector));
    }
}
