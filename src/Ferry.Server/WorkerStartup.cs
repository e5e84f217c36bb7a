namespace Ferry.Server;

/// <summary>
/// Before a worker claims anything: the database must be reachable and its schema current; the configured
/// <c>Ferry:AllowedRoots</c> not seeded before go to the first company (as at server start).
/// </summary>
internal sealed class WorkerStartup(IServiceProvider services, FerryServerOptions options, TimeProvider time, ILogger<WorkerStartup> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<FerryDbContext>();
        await using var startupLock = await ServerStartup.LockAsync(db, scope.ServiceProvider.GetRequiredService<DatabaseSettings>(), cancellationToken);
        await ServerStartup.CheckSchemaAsync(db, scope.ServiceProvider.GetRequiredService<DatabaseSettings>(), time, cancellationToken);
        await ServerStartup.SeedRootsAsync(db, options, time, logger, cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
