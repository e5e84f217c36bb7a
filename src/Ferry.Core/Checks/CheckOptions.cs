using Ferry.Core.Transfer;

namespace Ferry.Core.Checks;

/// <summary>What <see cref="CheckRunner"/> checks and how hard it works.</summary>
public sealed record CheckOptions
{
    /// <summary>Files inspected at once (1-256, default 8): the work is small reads, so more than the core count helps on slow cards.</summary>
    public int Concurrency { get; init; } = 8;

    /// <summary>Which relative paths to check; default all.</summary>
    public PathFilter Filter { get; init; } = PathFilter.All;

    /// <summary>Follow symbolic links (with loop detection), as <c>ferry upload --follow-symlinks</c> does.</summary>
    public bool FollowSymlinks { get; init; }

    /// <summary>
    /// Files this returns true for are left out entirely (not read, not counted): <c>ferry upload --check strict</c> (and
    /// <c>warn</c> with <c>--move</c> or <c>--archive-to</c>, which check first too) passes the files its journal already
    /// verified unchanged, so a resync does not inspect them again. Null checks every file. A fed check
    /// (<see cref="CheckRunner.Start"/>) does not consult it.
    /// </summary>
    public Func<SourceFile, bool>? Skip { get; init; }

    /// <summary>Keep only the first this many findings (in report order) and count the rest; null keeps all. Keeps memory flat for a caller that shows a few.</summary>
    public int? FindingsKept { get; init; }

    /// <summary>Capture times outside this window are flagged; null checks no window.</summary>
    public CaptureWindow? Window { get; init; }

    /// <summary>A pause between consecutive captures in one folder longer than this is reported as a gap (default 24 h, at least 1 minute).</summary>
    public TimeSpan Gap { get; init; } = TimeSpan.FromHours(24);

    /// <summary>Capture years before this one mean a reset clock (default 2010: camera and recorder clocks fall back to 1970, 1980, 2000 or 2001).</summary>
    public int ClockResetBeforeYear { get; init; } = 2010;

    /// <summary>More years a camera model falls back to after losing power (its factory default), flagged as clock resets too.</summary>
    public IReadOnlySet<int> CameraDefaultYears { get; init; } = new HashSet<int>();

    /// <summary>Write <c>SHA256SUMS</c> into every folder that has checked files and no <c>SHA256SUMS</c> yet (reads every file whole).</summary>
    public bool WriteSums { get; init; }

    /// <summary>Verify sidecar checksum files (<c>MD5SUMS</c>, <c>SHA256SUMS</c>, <c>*.md5</c>, <c>*.sha256</c>) found among the files. Default true.</summary>
    public bool VerifySums { get; init; } = true;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first value out of range.</summary>
    public void Validate()
    {
        if (Concurrency is < 1 or > 256)
        {
            throw new ArgumentException($"concurrency must be 1-256, not {Concurrency}");
        }

        if (Gap < TimeSpan.FromMinutes(1))
        {
            throw new ArgumentException($"the gap threshold must be at least 1 minute, not {Gap}");
        }
    }
}
