namespace Ferry.Core.Checks;

/// <summary>What <see cref="CheckRunner"/> found wrong with a file; every kind is a problem (exit 1 from <c>ferry check</c>).</summary>
public enum CheckProblem
{
    /// <summary>Zero bytes long.</summary>
    Empty,

    /// <summary>Every sampled block is zero (a card erased or unwritten mid-copy); a sample, not the whole file.</summary>
    AllZero,

    /// <summary>The container declares more bytes than the file has (a cut copy or recording).</summary>
    Truncated,

    /// <summary>The structure is broken: a bad marker or box sequence, a header that contradicts itself, a missing required part.</summary>
    Damaged,

    /// <summary>The capture time lies outside the deployment window given with <c>--window</c>.</summary>
    OutsideWindow,

    /// <summary>The capture time lies in the future.</summary>
    FutureTime,

    /// <summary>The capture year is before <see cref="CheckOptions.ClockResetBeforeYear"/> or a known camera default year: the clock was reset.</summary>
    ClockReset,

    /// <summary>The camera or recorder serial differs from the one most files of its folder carry.</summary>
    SerialMismatch,

    /// <summary>A checksum in a sidecar file (MD5SUMS, SHA256SUMS, *.md5, *.sha256) does not match the file.</summary>
    SumMismatch,

    /// <summary>A sidecar checksum file lists a file that is not there.</summary>
    SumMissingFile,

    /// <summary>A sidecar checksum line cannot be read as GNU coreutils format.</summary>
    SumUnreadable,

    /// <summary>The file could not be opened or read.</summary>
    Unreadable,
}
