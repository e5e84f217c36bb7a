namespace Ferry.Cli;

/// <summary>A problem to report in one line, with the exit code it means. The message names the problem and the fix.</summary>
internal sealed class CliException(int exitCode, string message) : Exception(message)
{
    public int ExitCode { get; } = exitCode;

    public static CliException Usage(string message) => new(ExitCodes.UsageOrSetup, message);
}
