namespace Ferry.Core.Transfer;

/// <summary>The counters of <see cref="TransferProgress"/> at one instant.</summary>
/// <param name="FilesFound">Regular files found so far (grows while the scan runs).</param>
/// <param name="BytesFound">Their bytes.</param>
/// <param name="ScanComplete">True once the whole source has been walked, so totals are final.</param>
/// <param name="FilesTransferred">Files uploaded (or, for a download, downloaded) and verified.</param>
/// <param name="BytesSent">Bytes moved over the network in bodies (sent when uploading, received when downloading), retries included.</param>
/// <param name="BytesDone">Bytes of files finished (uploaded, present or failed).</param>
public sealed record TransferSnapshot(
    long FilesFound,
    long BytesFound,
    bool ScanComplete,
    long FilesTransferred,
    long FilesPresent,
    long FilesSkipped,
    long FilesFailed,
    long FilesMoved,
    long BytesSent,
    long BytesDone,
    long Retries)
{
    public long FilesDone => FilesTransferred + FilesPresent + FilesFailed;
}
