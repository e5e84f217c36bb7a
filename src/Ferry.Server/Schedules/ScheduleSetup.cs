using Ferry.Server.Donations;
using Ferry.Server.Exports;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Quartz;
using Quartz.Impl.AdoJobStore;
using Quartz.Impl.AdoJobStore.Common;

namespace Ferry.Server.Schedules;

/// <summary>
/// Ferry's schedules on Quartz.NET with its persistent ADO.NET job store in Ferry's own database (tables created by
/// migration 0008): clustered on PostgreSQL, so any number of <c>ferry serve</c> and <c>ferry worker</c> processes run
/// each fire time once; on SQLite the one process. The database is chosen when the container is built, from the
/// final configuration (as the rest of the server's settings are).
/// </summary>
public static class ScheduleSetup
{
    /// <summary>Registers the scheduler, its jobs, the run recorder and the hosted services that register the triggers and run the scheduler. Call after the schema check's hosted service.</summary>
    public static IServiceCollection AddFerrySchedules(this IServiceCollection services)
    {
        // The jobs' services, also in a worker (the server registers them already).
        services.TryAddSingleton<DonationStudy>();
        services.TryAddSingleton<DonationMaintenance>();
        services.TryAddSingleton<DonationLinkIntake>(); // the stalled-sessions run sweeps abandoned link uploads, in a worker too
        services.TryAddSingleton<SessionExportService>();
        services.AddSingleton<ScheduleRunListener>();
        services.AddScoped<ScheduleCatalog>();
        services.AddQuartz(quartz =>
        {
            quartz.ConfigureScheduler(scheduler =>
            {
                scheduler.InstanceName = "ferry";
                scheduler.GenerateInstanceId = true;
            });
            quartz.UsePersistentStore(store =>
            {
                store.UseConnectionProvider(sp => sp.GetRequiredService<DatabaseSettings>() is { Provider: DatabaseProvider.PostgreSql } pg
                    ? new DbProvider(DataSourceOptions.Providers.Npgsql, pg.ConnectionString)
                    : new DbProvider(DataSourceOptions.Providers.Sqlite, sp.GetRequiredService<DatabaseSettings>().ConnectionString));
                store.UseDriverDelegate(sp => sp.GetRequiredService<DatabaseSettings>().Provider == DatabaseProvider.PostgreSql ? new PostgreSQLDelegate() : new SQLiteDelegate());
                store.UseSystemTextJsonSerializer();
            });
            quartz.AddJobListener(sp => sp.GetRequiredService<ScheduleRunListener>(), [GroupMatcher<JobKey>.GroupEquals(FerrySchedule.Group)]);
        });
        // Clustered on PostgreSQL only (Quartz refuses a clustered SQLite store; one SQLite server is one node), which
        // is known once the settings are: so said here rather than with UseClustering.
        services.AddOptions<AdoJobStoreOptions>().Configure<FerryServerOptions, DatabaseSettings>((store, options, database) =>
        {
            store.MisfireThreshold = options.Schedules.MisfireThreshold;
            store.UseDbLocks = database.Provider == DatabaseProvider.PostgreSql;
        });
        services.AddOptions<ClusteringOptions>().Configure<FerryServerOptions, DatabaseSettings>((cluster, options, database) =>
        {
            cluster.Enabled = database.Provider == DatabaseProvider.PostgreSql;
            cluster.CheckinInterval = options.Schedules.ClusterCheckinInterval;
            cluster.CheckinMisfireThreshold = options.Schedules.ClusterCheckinInterval * 4; // four missed check-ins: the node is gone
        });
        services.AddHostedService<ScheduleRegistration>(); // before the scheduler starts
        services.AddQuartzHostedService(hosted => hosted.WaitForJobsToComplete = true);
        return services;
    }
}
