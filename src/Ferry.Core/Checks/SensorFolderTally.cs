namespace Ferry.Core.Checks;

/// <summary>
/// Accumulates one folder while files are checked: counts, believable capture times and serials. Holds a capture
/// time (8 bytes) per dated file and a path per file with a serial, so memory grows with the folder, not with the
/// bytes; it is turned into a <see cref="SensorFolderSummary"/> and serial findings at the end. Files of one folder
/// are checked in parallel, so <see cref="Add"/> takes a lock; the summaries are read once every file is in.
/// </summary>
internal sealed class SensorFolderTally(string folder)
{
    private readonly Lock _gate = new();
    private readonly List<DateTime> _captures = [];
    private readonly Dictionary<string, List<string>> _pathsBySerial = new(StringComparer.Ordinal);
    private long _files;
    private long _bytes;

    public string Folder { get; } = folder;

    public void Add(string relativePath, long size, DateTime? believableCapture, string? serial)
    {
        lock (_gate)
        {
            _files++;
            _bytes += size;
            if (believableCapture is { } capture)
            {
                _captures.Add(capture);
            }

            if (serial is not null)
            {
                if (!_pathsBySerial.TryGetValue(serial, out var paths))
                {
                    _pathsBySerial[serial] = paths = [];
                }

                paths.Add(relativePath);
            }
        }
    }

    /// <summary>The serial more files carry than any other, or null when none or tied.</summary>
    public string? MajoritySerial()
    {
        var ranked = _pathsBySerial.OrderByDescending(p => p.Value.Count).ThenBy(p => p.Key, StringComparer.Ordinal).Take(2).ToArray();
        return ranked.Length switch
        {
            0 => null,
            1 => ranked[0].Key,
            _ => ranked[0].Value.Count > ranked[1].Value.Count ? ranked[0].Key : null,
        };
    }

    /// <summary>A finding for every file whose serial is not the folder's majority serial (none when there is no majority).</summary>
    public IEnumerable<CheckFinding> SerialFindings()
    {
        if (MajoritySerial() is not { } majority)
        {
            yield break;
        }

        var withSerial = _pathsBySerial.Values.Sum(p => p.Count);
        foreach (var (serial, paths) in _pathsBySerial.Where(p => p.Key != majority).OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            foreach (var path in paths.Order(StringComparer.Ordinal))
            {
                yield return new CheckFinding(path, CheckProblem.SerialMismatch,
                    $"serial {serial} differs from {majority}, the serial of {_pathsBySerial[majority].Count} of {withSerial} files in {Folder}");
            }
        }
    }

    public SensorFolderSummary Summarize(TimeSpan gapThreshold)
    {
        _captures.Sort();
        var gaps = new List<CaptureGap>();
        for (var i = 1; i < _captures.Count; i++)
        {
            if (_captures[i] - _captures[i - 1] > gapThreshold)
            {
                gaps.Add(new CaptureGap(_captures[i - 1], _captures[i]));
            }
        }

        return new SensorFolderSummary(
            Folder,
            _files,
            _bytes,
            _captures.Count,
            _captures.Count > 0 ? _captures[0] : null,
            _captures.Count > 0 ? _captures[^1] : null,
            gaps,
            MajoritySerial());
    }
}
