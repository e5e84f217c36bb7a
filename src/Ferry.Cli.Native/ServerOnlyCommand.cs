using System.CommandLine;

namespace Ferry.Cli.Native;

/// <summary>
/// Stands in for a server command the native build leaves out (<c>serve</c>, <c>worker</c>, <c>db</c>): it takes any
/// arguments and says in one line which build runs it (exit 2) instead of "unrecognized command"; the command list and
/// its <c>--help</c> say the same.
/// </summary>
internal static class ServerOnlyCommand
{
    public static readonly IReadOnlyList<string> Names = ["serve", "worker", "db"];

    public static Command Create(string name)
    {
        var message = $"'ferry {name}' runs in the full build of ferry only (src/Ferry.Cli); this is the native build, which has every other command (docs/operations.md)";
        var command = new Command(name, message) { TreatUnmatchedTokensAsErrors = false };
        command.SetAction(async (_, _) =>
        {
            await Console.Error.WriteLineAsync("ferry: error: " + message);
            return ExitCodes.UsageOrSetup;
        });
        return command;
    }
}
