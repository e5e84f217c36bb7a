using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Ferry.Cli.Commands;

/// <summary>
/// Runs the host of <c>ferry serve</c> or <c>ferry worker</c> until it stops. A background service that fails (the job
/// worker, a queue worker) stops the host, which logs it at Critical, but the host's own RunAsync then returns as after
/// a stop on purpose: the command would exit 0 and a supervisor that restarts on failure would not restart it. Here such
/// a stop is an error with exit code 1: a service that failed, or that ended on a cancellation of its own (a request's
/// timeout) while the command was not being stopped.
/// </summary>
internal static class HostRun
{
    /// <summary>
    /// Starts <paramref name="host"/> and waits until it stops; throws <see cref="CliException"/> (exit 1) when it
    /// stopped because a background service failed. <paramref name="what"/> names it in that error ("the server");
    /// <paramref name="cancellationToken"/> is the command's stop (SIGINT, SIGTERM).
    /// </summary>
    public static async Task RunAsync(IHost host, string what, CancellationToken cancellationToken)
    {
        await host.StartAsync(cancellationToken);
        var services = host.Services.GetServices<IHostedService>().OfType<BackgroundService>().ToList();
        await host.WaitForShutdownAsync(cancellationToken);
        var stopped = cancellationToken.IsCancellationRequested;
        if (services.FirstOrDefault(s => s.ExecuteTask is { IsFaulted: true } || s.ExecuteTask is { IsCanceled: true } && !stopped) is { } failed)
        {
            var reason = failed.ExecuteTask!.Exception is { } error ? (error.InnerException ?? error).Message : "it ended on a cancellation that was not a stop";
            throw new CliException(ExitCodes.SomeFailed, $"{what} stopped: its {failed.GetType().Name} failed ({reason.ReplaceLineEndings(" ")}); the log above has the details");
        }
    }
}
