using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Ferry.Cli.Commands;

/// <summary>
/// Runs the host of <c>ferry serve</c> or <c>ferry worker</c> until it stops. A background service that fails (the job
/// worker, a queue worker) stops the host, which logs it at Critical, but the host's own RunAsync then returns as after
/// a stop on purpose: the command would exit 0 and a supervisor that restarts on failure would not restart it. Here such
/// a stop is an error with exit code 1.
/// </summary>
internal static class HostRun
{
    /// <summary>
    /// Starts <paramref name="host"/> and waits until it stops; throws <see cref="CliException"/> (exit 1) when it
    /// stopped because a background service failed. <paramref name="what"/> names it in that error ("the server").
    /// </summary>
    public static async Task RunAsync(IHost host, string what, CancellationToken cancellationToken)
    {
        await host.StartAsync(cancellationToken);
        var services = host.Services.GetServices<IHostedService>().OfType<BackgroundService>().ToList();
        await host.WaitForShutdownAsync(cancellationToken);
        if (services.FirstOrDefault(s => s.ExecuteTask is { IsFaulted: true }) is { } failed)
        {
            var reason = failed.ExecuteTask!.Exception!.InnerException ?? failed.ExecuteTask.Exception;
            throw new CliException(ExitCodes.SomeFailed, $"{what} stopped: its {failed.GetType().Name} failed ({reason.Message}); the log above has the details");
        }
    }
}
