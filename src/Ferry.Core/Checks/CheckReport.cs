namespace Ferry.Core.Checks;

/// <summary>The outcome of one <see cref="CheckRunner"/> run.</summary>
/// <param name="Files">Files checked (sidecar checksum files included).</param>
/// <param name="Bytes">Their total size.</param>
/// <param name="Findings">Every problem (or the first <see cref="CheckOptions.FindingsKept"/>), ordered by path then kind.</param>
/// <param name="Folders">One summary per sensor folder, ordered by folder.</param>
/// <param name="Skipped">Entries the scan did not check (links, devices, unreadable folders), with reasons.</param>
/// <param name="SumsVerified">Files whose sidecar checksum matched.</param>
/// <param name="SumsWritten">SHA256SUMS files written (<see cref="CheckOptions.WriteSums"/>).</param>
/// <param name="Elapsed">Wall-clock time of the run.</param>
public sealed record CheckReport(
    long Files,
    long Bytes,
    IReadOnlyList<CheckFinding> Findings,
    IReadOnlyList<SensorFolderSummary> Folders,
    IReadOnlyList<Ferry.Core.Transfer.SkippedEntry> Skipped,
    int SumsVerified,
    int SumsWritten,
    TimeSpan Elapsed)
{
    /// <summary>Problems found, including those not kept in <see cref="Findings"/>.</summary>
    public long ProblemCount { get; init; }

    /// <summary>Problems per folder (as <see cref="SensorFolderSummary.Folder"/> names folders), including those not kept in <see cref="Findings"/>.</summary>
    public IReadOnlyDictionary<string, long> ProblemsByFolder { get; init; } = new Dictionary<string, long>();

    public bool IsClean => ProblemCount == 0 && Findings.Count == 0;
}
