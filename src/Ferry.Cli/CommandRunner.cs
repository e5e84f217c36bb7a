using System.CommandLine;
using System.Runtime.InteropServices;
using Ferry.Core.Storage;

namespace Ferry.Cli;

/// <summary>
/// Parses, runs and maps every failure to one line on standard error and an exit code: usage errors
/// and <see cref="CliException"/>s as they say, cancellation as 130, anything unexpected as 1 with
/// its message (never a stack trace; set FERRY_DEBUG=1 to see one).
/// </summary>
internal static class CommandRunner
{
    public static async Task<int> RunAsync(RootCommand root, string[] args)
    {
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            var command = parse.CommandResult.Command;
            var name = command == root ? "ferry" : $"ferry {command.Name}";
            await Console.Error.WriteLineAsync($"ferry: error: {parse.Errors[0].Message} (see '{name} --help')");
            return ExitCodes.UsageOrSetup;
        }

        // SIGINT (Ctrl-C) and SIGTERM (systemd, docker stop, kill) cancel this token once; every command stops taking
        // work, hands back or records what is running and exits with its documented code. A second signal while stopping
        // is ignored (SIGKILL stops at once; the journal is safe against that too). System.CommandLine's own handling is
        // off: it ended the process 2 seconds after the signal, whatever was still being recorded. The source is never
        // disposed: a handler may run on its own thread after the command has returned (hosts register handlers too, and
        // the runtime calls them one after the other), and cancelling a disposed source crashed the process.
        var cancellation = new CancellationTokenSource();
        using var onInterrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, context => Stop(context, cancellation));
        using var onTerminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context => Stop(context, cancellation));
        try
        {
            return await parse.InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false, ProcessTerminationTimeout = null }, cancellation.Token);
        }
        catch (CliException ex)
        {
            await Console.Error.WriteLineAsync($"ferry: error: {ex.Message}");
            return ex.ExitCode;
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
            await Console.Error.WriteLineAsync("ferry: interrupted; run the same command again to resume");
            return ExitCodes.Interrupted;
        }
        catch (StoreException ex)
        {
            await Console.Error.WriteLineAsync($"ferry: error: {ex.Message}");
            return ex.IsFatalForRun || ex.Kind == StoreErrorKind.Unreachable ? ExitCodes.UsageOrSetup : ExitCodes.SomeFailed;
        }
        catch (Exception ex) when (Environment.GetEnvironmentVariable("FERRY_DEBUG") != "1")
        {
            await Console.Error.WriteLineAsync($"ferry: error: {ex.Message} ({ex.GetType().Name}; set FERRY_DEBUG=1 for details)");
            return ExitCodes.SomeFailed;
        }
    }

    private static void Stop(PosixSignalContext context, CancellationTokenSource cancellation)
    {
        context.Cancel = true;
        // Cancellation callbacks run on the thread pool, not on the runtime's signal thread.
        _ = cancellation.CancelAsync();
    }
}
