namespace Ferry.Server;

/// <summary>
/// Runs before the server takes requests: refuses to start on a database whose schema is not current (the fix is
/// <c>ferry db migrate</c>), on first start creates the first company and administrator, and gives the first company
/// the configured <c>Ferry:AllowedRoots</c> not seeded before (<see cref="Jobs.ServerFolders.SeedConfiguredAsync"/>).
/// </summary>
internal sealed class ServerStartup(IServiceProvider services, FerryServerOptions options, TimeProvider time, ILogger<ServerStartup> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<FerryDbContext>();
        // Replicas starting together on one PostgreSQL database take turns from here (Data/StartupLock).
        await using var startupLock = await LockAsync(db, scope.ServiceProvider.GetRequiredService<DatabaseSettings>(), cancellationToken);
        await CheckSchemaAsync(db, scope.ServiceProvider.GetRequiredService<DatabaseSettings>(), time, cancellationToken);
        var (created, passwordFile) = await AdminBootstrap.EnsureAsync(db, options, time, cancellationToken);
        if (created)
        {
            // The password itself is never printed or logged: only where the operator finds it.
            Console.Out.WriteLine(passwordFile is null
                ? $"ferry: created the first administrator '{AdminBootstrap.AdminUsername}' in company '{options.FirstCompanyName}' with the password from FERRY_ADMIN_PASSWORD"
                : $"ferry: created the first administrator '{AdminBootstrap.AdminUsername}' in company '{options.FirstCompanyName}'; its one-time password is in {passwordFile} (readable by this user only; it must be changed at first sign-in)");
        }

        await SeedRootsAsync(db, options, time, logger, cancellationToken);
        ReplicaServices.EnsureSharedKeys(services);
    }

    /// <summary>Seeds the configured roots into the first company, logging each one given.</summary>
    internal static async Task SeedRootsAsync(FerryDbContext db, FerryServerOptions options, TimeProvider time, ILogger logger, CancellationToken cancellationToken)
    {
        foreach (var root in await Jobs.ServerFolders.SeedConfiguredAsync(db, options, time, cancellationToken))
        {
            logger.LogInformation("Gave the first company the configured server folder {Root} (Ferry:AllowedRoots)", root);
        }
    }

    /// <summary>Takes the <see cref="StartupLock"/>; throws <see cref="ServerStartupException"/> when the database cannot be opened.</summary>
    internal static async Task<StartupLock> LockAsync(FerryDbContext db, DatabaseSettings settings, CancellationToken cancellationToken)
    {
        try
        {
            return await StartupLock.AcquireAsync(db, cancellationToken);
        }
        catch (Exception ex) when (ex is System.Data.Common.DbException or InvalidOperationException)
        {
            throw CannotOpen(settings, ex);
        }
    }

    /// <summary>Throws <see cref="ServerStartupException"/> when the database cannot be opened or its schema is not current.</summary>
    internal static async Task CheckSchemaAsync(FerryDbContext db, DatabaseSettings settings, TimeProvider time, CancellationToken cancellationToken)
    {
        var migrator = new DatabaseMigrator(db, time);
        int current;
        try
        {
            current = await migrator.CurrentVersionAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is System.Data.Common.DbException or InvalidOperationException)
        {
            throw CannotOpen(settings, ex);
        }

        if (current != migrator.LatestVersion)
        {
            throw new ServerStartupException($"the database ({settings.Describe()}) has schema version {current}, this Ferry needs {migrator.LatestVersion}; run 'ferry db migrate' first");
        }
    }

    private static ServerStartupException CannotOpen(DatabaseSettings settings, Exception ex) =>
        new($"cannot open the database ({settings.Describe()}): {ex.Message}; check the connection string (--db / FERRY_DB) and that the server is running");

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
