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
        using var host = HostWith<FailingService>();

        var error = await Assert.ThrowsAsync<CliException>(() => HostRun.RunAsync(host, "the worker", CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30)));

        Assert.Equal(ExitCodes.SomeFailed, error.ExitCode);
        Assert.Equal("the worker stopped: its FailingService failed (the queue's database is gone); the log above has the details", error.Message);
    }

    [Fact]
    public async Task RunAsync_StoppedOnPurpose_ReturnsWithoutAnError()
    {
        using var host = HostWith<WaitingService>();
        using var stop = new CancellationTokenSource();

        var run = HostRun.RunAsync(host, "the worker", stop.Token);
        await WaitingService.Started.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await stop.CancelAsync();

        await run.WaitAsync(TimeSpan.FromSeconds(30));
    }

    private static IHost HostWith<TService>() where TService : class, IHostedService
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddHostedService<TService>();
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

    private sealed class WaitingService : BackgroundService
    {
        public static TaskCompletionSource Started { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        protected override async Task ExecuteAsync(CancellationToken stoppingToken)
        {
            Started.TrySetResult();
            await Task.Delay(Timeout.Infinite, stoppingToken);
        }
    }
}
