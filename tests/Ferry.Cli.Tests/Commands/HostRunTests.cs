using Ferry.Cli.Commands;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Ferry.Cli.Tests.Commands;

/// <summary>How <c>ferry serve</c> and <c>ferry worker</c> end: a stop on purpose exits 0, a failed background service 1.</summary>
public sealed class HostRunTests
{
    [Fact]
    public async Task RunAsync_BackgroundServiceFails_IsAnErrorWithExitCode1NamingIt()
    {
        using var host = HostWith(new FailingService());

        var error = await Assert.ThrowsAsync<CliException>(() => HostRun.RunAsync(host, "the worker", CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30)));

        Assert.Equal(ExitCodes.SomeFailed, error.ExitCode);
        Assert.Equal("the worker stopped: its FailingService failed (the queue's database is gone); the log above has the details", error.Message);
    }

    [Fact]
    public async Task RunAsync_BackgroundServiceEndsOnATimeoutOfItsOwn_IsAnErrorWithExitCode1()
    {
        // A request's timeout is an OperationCanceledException: the service's task ends Canceled, not Faulted, and the
        // host stops all the same.
        using var host = HostWith(new TimedOutService());

        var error = await Assert.ThrowsAsync<CliException>(() => HostRun.RunAsync(host, "the server", CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30)));

        Assert.Equal(ExitCodes.SomeFailed, error.ExitCode);
        Assert.Equal("the server stopped: its TimedOutService failed (it ended on a cancellation that was not a stop); the log above has the details", error.Message);
    }

    [Fact]
    public async Task RunAsync_StoppedOnPurpose_ReturnsWithoutAnError()
    {
        var started = new WaitingService();
        using var host = HostWith(started);
        using var stop = new CancellationTokenSource();

        var run = HostRun.RunAsync(host, "the worker", stop.Token);
        await started.Started.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await stop.CancelAsync();

        await run.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.True(started.ExecuteTask!.IsCanceled);
    }

    private static IHost HostWith(IHostedService service)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(service);
        return builder.Build();
    }

    private sealed class FailingService : BackgroundService
    {
        protected override async Task ExecuteAsync(CancellationToken stoppingToken)
        {
            await Task.Yield();
            throw new InvalidOperationException("the queue's database is gone");
        }
    }

    private sealed class TimedOutService : BackgroundService
    {
        protected override async Task ExecuteAsync(CancellationToken stoppingToken)
        {
            await Task.Yield();
            throw new TaskCanceledException("The request was canceled due to the configured HttpClient.Timeout of 100 seconds elapsing.");
        }
    }

    private sealed class WaitingService : BackgroundService
    {
        public TaskCompletionSource Started { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        protected override async Task ExecuteAsync(CancellationToken stoppingToken)
        {
            Started.TrySetResult();
            await Task.Delay(Timeout.Infinite, stoppingToken);
        }
    }
}
