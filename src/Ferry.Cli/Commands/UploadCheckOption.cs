using System.CommandLine;
using Ferry.Core.Checks;
using Ferry.Core.Transfer;

namespace Ferry.Cli.Commands;

/// <summary>
/// <c>ferry upload --check warn|strict|off</c>: the checks of <c>ferry check</c> (without a deployment window) over the
/// files the upload has to send. <c>warn</c> (default) checks them as the upload's own scan hands them on
/// (<see cref="StartAlongside"/>) and prints the problems on standard error when the upload ends; <c>strict</c> checks
/// the source before anything is uploaded, prints the problems and refuses with exit 1 (problems in the data, as
/// <c>ferry check</c> reports them); <c>off</c> skips the check. With <c>--server</c> the check runs first in both
/// modes: the session is opened with what it found.
/// </summary>
internal sealed class UploadCheckOption
{
    /// <summary>Problems listed on standard error before the rest are summarised.</summary>
    public const int ListedProblems = 20;

    private readonly Option<string> _mode = new("--check")
    {
        Description = "Check the files (as 'ferry check'): warn (default) checks them as they are uploaded and prints problems at the end, strict checks the source first and refuses to upload (exit 1), off skips",
        DefaultValueFactory = _ => "warn",
    };

    public void AddTo(Command command)
    {
        _mode.AcceptOnlyFromAmong("warn", "strict", "off");
        command.Options.Add(_mode);
    }

    /// <summary>
    /// With <c>--check warn</c>, starts a check fed by the upload's scan (<see cref="UploadOptions.OnPlanned"/>); null in
    /// any other mode. <see cref="ReportAsync"/> prints what it found.
    /// </summary>
    public CheckFeed? StartAlongside(ParseResult parse, string source, PathFilter filter, bool followSymlinks, CancellationToken cancellationToken) =>
        parse.GetValue(_mode) == "warn"
            ? new CheckRunner(TimeProvider.System).Start(source, new CheckOptions { Filter = filter, FollowSymlinks = followSymlinks, FindingsKept = ListedProblems }, cancellationToken)
            : null;

    /// <summary>Ends a check started with <see cref="StartAlongside"/> and prints its problems; a check that failed is a warning, never the upload's failure.</summary>
    public static async Task ReportAsync(CheckFeed check, string source)
    {
        CheckReport report;
        try
        {
            report = await check.CompleteAsync();
        }
        catch (OperationCanceledException)
        {
            // Interrupted after the upload had ended, while the check read its last files.
            await Console.Error.WriteLineAsync($"ferry: warning: the check was interrupted before it finished; run 'ferry check {source}' for its findings");
            return;
        }
        catch (Exception ex)
        {
            await Console.Error.WriteLineAsync($"ferry: warning: the check could not run ({ex.Message}); the upload was not affected");
            return;
        }

        await PrintAsync(report, source);
    }

    /// <summary>
    /// Runs the check over the whole source first, as the flag says; throws a <see cref="CliException"/> with exit 1 when strict and problems were
    /// found. Returns the report (for the session, with <c>--server</c>), or null when the check was off or could not run.
    /// </summary>
    /// <param name="alreadyVerified">Files it returns true for (the journal verified them unchanged) are not checked again; null checks all.</param>
    /// <param name="findingsKept">Problems kept in the report (at least <see cref="ListedProblems"/>; the rest are counted).</param>
    public async Task<CheckReport?> RunAsync(ParseResult parse, string source, PathFilter filter, bool followSymlinks, Func<SourceFile, bool>? alreadyVerified, int findingsKept, CancellationToken cancellationToken)
    {
        var mode = parse.GetValue(_mode);
        if (mode == "off")
        {
            return null;
        }

        var options = new CheckOptions { Filter = filter, FollowSymlinks = followSymlinks, Skip = alreadyVerified, FindingsKept = Math.Max(ListedProblems, findingsKept) };
        CheckReport report;
        try
        {
            report = await new CheckRunner(TimeProvider.System).RunAsync(source, options, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException && mode == "warn")
        {
            await Console.Error.WriteLineAsync($"ferry: warning: the check could not run ({ex.Message}); uploading without it");
            return null;
        }

        await PrintAsync(report, source);
        if (!report.IsClean && mode == "strict")
        {
            throw new CliException(ExitCodes.SomeFailed, $"upload refused (--check strict): {report.ProblemCount} problems in the source; fix them, or upload with --check warn");
        }

        return report;
    }

    private static async Task PrintAsync(CheckReport report, string source)
    {
        if (report.IsClean)
        {
            return;
        }

        var error = Console.Error;
        await error.WriteLineAsync($"ferry: warning: check found {report.ProblemCount} problems in {source}:");
        foreach (var finding in report.Findings.Take(ListedProblems))
        {
            await error.WriteLineAsync($"  {finding.Path}: {Output.CheckReportPrinter.Kind(finding.Problem)}: {finding.Message}");
        }

        if (report.ProblemCount > ListedProblems)
        {
            await error.WriteLineAsync($"  … and {report.ProblemCount - ListedProblems} more; run 'ferry check {source}' for all");
        }
    }
}
