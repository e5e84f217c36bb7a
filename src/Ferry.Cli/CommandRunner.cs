using System.CommandLine;
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
            await Console.Error.WriteLineAsync($"ferry: error: {parse.Errors[0].Message} (see '{name} --help')").ConfigureAwait(false);
            return ExitCodes.UsageOrSetup;
        }

        using var cancellation = new CancellationTokenSource();
        ConsoleCancelEventHandler onCancel = (_, e) =>
        {
            e.Cancel = true;
            cancellation.Cancel();
        };
        Console.CancelKeyPress += onCancel;
        using var onTerm = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, context =>
        {
            context.Cancel = true;
            cancellation.Cancel();
        });
        try
        {
            return await parse.InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false }, cancellation.Token).ConfigureAwait(false);
        }
        catch (CliException ex)
        {
            await Console.Error.WriteLineAsync($"ferry: error: {ex.Message}").ConfigureAwait(false);
            return ex.ExitCode;
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
            await Console.Error.WriteLineAsync("ferry: interrupted; run the same command again to resume").ConfigureAwait(false);
            return ExitCodes.Interrupted;
        }
        catch (StoreException ex)
        {
            await Console.Error.WriteLineAsync($"ferry: error: {ex.Message}").ConfigureAwait(false);
            return ex.IsFatalForRun || ex.Kind == StoreErrorKind.Unreachable ? ExitCodes.UsageOrSetup : ExitCodes.SomeFailed;
        }
        catch (Exception ex) when (Environment.GetEnvironmentVariable("FERRY_DEBUG") != "1")
        {
            await Console.Error.WriteLineAsync($"ferry: error: {ex.Message} ({ex.GetType().Name}; set FERRY_DEBUG=1 for details)").ConfigureAwait(false);
            return ExitCodes.SomeFailed;
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }
    }
}
