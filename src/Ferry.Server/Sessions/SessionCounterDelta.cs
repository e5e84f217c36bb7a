namespace Ferry.Server.Sessions;

/// <summary>
/// Changes to a session's counters, applied as one relative UPDATE (<c>x = x + delta</c>) so that
/// concurrent requests of one session never lose each other's counts.
/// </summary>
internal sealed class SessionCounterDelta
{
    public long TotalFiles { get; set; }
    public long TotalBytes { get; set; }
    public long UploadedFiles { get; private set; }
    public long UploadedBytes { get; private set; }
    public long SkippedFiles { get; private set; }
    public long SkippedBytes { get; private set; }
    public long FailedFiles { get; private set; }
    public bool AnyUploaded { get; private set; }

    /// <summary>A file of <paramref name="size"/> bytes moved from status <paramref name="from"/> (null: new) to <paramref name="to"/>.</summary>
    public void Move(FileStatus? from, FileStatus to, long size)
    {
        if (from == to)
        {
            return;
        }

        Count(from, size, -1);
        Count(to, size, +1);
        AnyUploaded |= to == FileStatus.Uploaded;
    }

    public bool IsEmpty => TotalFiles == 0 && TotalBytes == 0 && UploadedFiles == 0 && UploadedBytes == 0 && SkippedFiles == 0 && SkippedBytes == 0 && FailedFiles == 0;

    public Task ApplyAsync(FerryDbContext db, long sessionId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var (totalFiles, totalBytes, uploadedFiles, uploadedBytes, skippedFiles, skippedBytes, failedFiles) = (TotalFiles, TotalBytes, UploadedFiles, UploadedBytes, SkippedFiles, SkippedBytes, FailedFiles);
        DateTimeOffset? firstUpload = AnyUploaded ? now : null;
        return db.Sessions.Where(s => s.Id == sessionId).ExecuteUpdateAsync(s => s
            .SetProperty(x => x.TotalFiles, x => x.TotalFiles + totalFiles)
            .SetProperty(x => x.TotalBytes, x => x.TotalBytes + totalBytes)
            .SetProperty(x => x.UploadedFiles, x => x.UploadedFiles + uploadedFiles)
            .SetProperty(x => x.UploadedBytes, x => x.UploadedBytes + uploadedBytes)
            .SetProperty(x => x.SkippedFiles, x => x.SkippedFiles + skippedFiles)
            .SetProperty(x => x.SkippedBytes, x => x.SkippedBytes + skippedBytes)
            .SetProperty(x => x.FailedFiles, x => x.FailedFiles + failedFiles)
            .SetProperty(x => x.FirstUploadAt, x => x.FirstUploadAt ?? firstUpload)
            .SetProperty(x => x.LastActivityAt, now), cancellationToken);
    }

    private void Count(FileStatus? status, long size, int sign)
    {
        switch (status)
        {
            case FileStatus.Uploaded:
                UploadedFiles += sign;
                UploadedBytes += sign * size;
                break;
            case FileStatus.Skipped:
                SkippedFiles += sign;
                SkippedBytes += sign * size;
                break;
            case FileStatus.Failed:
                FailedFiles += sign;
                break;
        }
    }
}
