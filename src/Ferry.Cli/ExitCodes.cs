namespace Ferry.Cli;

/// <summary>The exit codes of every ferry command, as documented in <c>--help</c> and the README.</summary>
internal static class ExitCodes
{
    /// <summary>Everything was done and verified.</summary>
    public const int Success = 0;

    /// <summary>The run finished but some files failed (or, for verify, differ).</summary>
    public const int SomeFailed = 1;

    /// <summary>A usage, config, credential, endpoint or bucket problem found before transferring.</summary>
    public const int UsageOrSetup = 2;

    /// <summary>An export could not reach its destination; the bundle is complete in the outbox, waiting for <c>ferry outbox flush</c>.</summary>
    public const int Queued = 3;

    /// <summary>Interrupted (Ctrl-C or SIGTERM); the journal is consistent and a rerun resumes.</summary>
    public const int Interrupted = 130;

    /// <summary>The exit code of a finished transfer: 0 done, 130 interrupted, 2 stopped before anything moved, else 1.</summary>
    public static int Of(Ferry.Core.Transfer.TransferSummary summary) => summary.Outcome switch
    {
        Ferry.Core.Transfer.TransferOutcome.Completed => Success,
        Ferry.Core.Transfer.TransferOutcome.Interrupted => Interrupted,
        Ferry.Core.Transfer.TransferOutcome.Aborted when summary.Counts.FilesTransferred == 0 => UsageOrSetup,
        _ => SomeFailed,
    };

    public const string HelpText = """
        Exit codes:
          0    everything uploaded (or already present) and verified
          1    finished, but some files failed; rerun to retry them
          2    usage, config, credential, endpoint or bucket problem found before transferring
          3    export only: the destination could not be reached; the bundle waits in the outbox (ferry outbox flush)
          130  interrupted; the journal is consistent, rerun to resume
        """;
}
