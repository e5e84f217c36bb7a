using Ferry.Core.Journal;
using Ferry.Core.Transfer;

namespace Ferry.Cli.Output;

/// <summary>
/// Tells people about individual files: every failure, the first skipped entries (the rest are
/// counted in the summary), and in a dry run the plan line by line. Writes to standard error
/// except the plan, which goes to standard output.
/// </summary>
internal sealed class ConsoleObserver(bool dryRun, TextWriter output, TextWriter error) : ITransferObserver
{
    private const int SkippedShown = 20;
    private readonly Lock _lock = new();
    private int _skippedShown;

    public void OnFileEvent(FileEvent fileEvent)
    {
        lock (_lock)
        {
            switch (fileEvent.Outcome)
            {
                case FileOutcomes.Failed:
                    error.WriteLine($"failed: {fileEvent.Path}: {fileEvent.Reason}");
                    break;
                case FileOutcomes.Skipped when _skippedShown < SkippedShown:
                    _skippedShown++;
                    error.WriteLine($"skipped: {fileEvent.Path}: {fileEvent.Reason}");
                    break;
                case FileOutcomes.Duplicate:
                    error.WriteLine($"duplicate, not uploaded: {fileEvent.Path}: {fileEvent.Reason}");
                    break;
                case FileOutcomes.Uploaded when fileEvent.Reason is not null:
                    error.WriteLine($"uploaded, but {fileEvent.Path} is a {fileEvent.Reason} (--skip-duplicates leaves such files out)");
                    break;
                case FileEvent.WouldUpload:
                    output.WriteLine($"would upload: {fileEvent.Path} -> {fileEvent.Key} ({fileEvent.Size} bytes)");
                    break;
                case FileEvent.WouldDownload:
                    output.WriteLine($"would download: {fileEvent.Key} -> {fileEvent.Path} ({fileEvent.Size} bytes)");
                    break;
                case FileOutcomes.Present when dryRun:
                    output.WriteLine($"present: {fileEvent.Path} -> {fileEvent.Key}");
                    break;
            }
        }
    }

    public void OnRetry(string reason)
    {
    }
}
