using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Ferry.Server;

/// <summary>Before a worker claims anything: the database must be reachable and its schema current.</summary>
internal sealed class WorkerStartup(IServiceProvider services, TimeProvider time) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await using var scope = services.CreateAsyncScope();
        await ServerStartup.CheckSchemaAsync(scope.ServiceProvider.GetRequiredService<FerryDbContext>(), scope.ServiceProvider.GetRequiredService<DatabaseSettings>(), time, cancellationToken).ConfigureAwait(false);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
