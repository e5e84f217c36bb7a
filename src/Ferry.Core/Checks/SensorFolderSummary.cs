namespace Ferry.Core.Checks;

/// <summary>
/// Counts for one sensor folder (the folder that holds the files, relative to the checked root; "." for the root):
/// files, bytes, first and last believable capture time, and the gaps between captures longer than the threshold.
/// Capture times flagged as a reset clock or in the future are left out of first, last and gaps.
/// </summary>
public sealed record SensorFolderSummary(
    string Folder,
    long Files,
    long Bytes,
    long FilesWithCaptureTime,
    DateTime? FirstCapture,
    DateTime? LastCapture,
    IReadOnlyList<CaptureGap> Gaps,
    string? MajoritySerial);
