using System.Globalization;
using Ferry.Cli.Configuration;
using Ferry.Core.Transfer;

namespace Ferry.Cli.Output;

/// <summary>Progress in words: counts of totals, rate and ETA, from two samples of the counters.</summary>
internal static class ProgressText
{
    public static string Line(TransferSnapshot s, TimeSpan elapsed)
    {
        var files = s.ScanComplete ? $"{s.FilesDone:N0}/{s.FilesFound:N0} files" : $"{s.FilesDone:N0}/{s.FilesFound:N0}+ files (scanning)";
        var bytes = $"{ByteSize.Format(s.BytesDone)}/{ByteSize.Format(s.BytesFound)}";
        var rate = elapsed.TotalSeconds > 0 ? s.BytesSent / elapsed.TotalSeconds : 0;
        var fileRate = elapsed.TotalSeconds > 0 ? s.FilesDone / elapsed.TotalSeconds : 0;
        return string.Create(CultureInfo.InvariantCulture,
            $"{files}, {bytes}, {ByteSize.Format(rate)}/s, {fileRate:0} files/s, ETA {Eta(s, elapsed)}, {s.FilesTransferred:N0} transferred, {s.FilesPresent:N0} present, {s.FilesFailed:N0} failed, {s.FilesSkipped:N0} skipped, {s.Retries:N0} retries");
    }

    public static string Eta(TransferSnapshot s, TimeSpan elapsed)
    {
        if (!s.ScanComplete || s.BytesDone == 0 || elapsed.TotalSeconds < 1)
        {
            return "--:--";
        }

        var remaining = (s.BytesFound - s.BytesDone) / (s.BytesDone / elapsed.TotalSeconds);
        var fileRemaining = s.FilesDone == 0 ? 0 : (s.FilesFound - s.FilesDone) / (s.FilesDone / elapsed.TotalSeconds);
        var eta = TimeSpan.FromSeconds(Math.Max(remaining, fileRemaining));
        return eta.TotalHours >= 1 ? eta.ToString(@"h\:mm\:ss", CultureInfo.InvariantCulture) : eta.ToString(@"m\:ss", CultureInfo.InvariantCulture);
    }
}
