using Ferry.Server.Storage;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.IdentityModel.Tokens;

namespace Ferry.Server;

/// <summary>
/// What several replicas of <c>ferry serve</c> on one database share, so that they behave as one service: the
/// data-protection keys of sign-in cookies and anti-forgery tokens (<see cref="DatabaseXmlRepository"/>), the
/// token-signing key (<see cref="SigningKeyStore"/>) and the sign-in throttle's failures (<see cref="LoginThrottle"/>),
/// all in the database. docs/operations.md ("Scaling out") says what else must be identical.
/// </summary>
public static class ReplicaServices
{
    /// <summary>
    /// Registers the shared keys and the database-backed sign-in throttle. Must come after <see cref="ServerStartup"/>'s
    /// registration and before anything else adds data protection: hosted services start in registration order, and data
    /// protection's own start-up service creates a key when the database has none — it must find the one
    /// <see cref="ServerStartup"/> created under <see cref="StartupLock"/>, or replicas started together would each create
    /// one and refuse each other's cookies until their key rings refresh.
    /// </summary>
    public static IServiceCollection AddReplicaSharedState(this IServiceCollection services)
    {
        if (!services.Any(d => d.ServiceType == typeof(IHostedService) && d.ImplementationType == typeof(ServerStartup))
            || services.Any(d => d.ServiceType == typeof(IDataProtectionProvider)))
        {
            throw new InvalidOperationException("AddReplicaSharedState must come after AddHostedService<ServerStartup>() and before anything that adds data protection");
        }

        services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<FerryServerOptions>();
            using var scope = sp.CreateScope();
            var db = scope.ServiceProvider.GetRequiredService<FerryDbContext>();
            return new SymmetricSecurityKey(SigningKeyStore.LoadOrCreate(options.SigningKey, db, sp.GetRequiredService<StorageSecrets>(), options.ResolvedDataDirectory, sp.GetRequiredService<TimeProvider>()));
        });
        services.AddScoped<LoginThrottle>();
        services.AddDataProtection().SetApplicationName("ferry");
        services.AddSingleton<DatabaseXmlRepository>();
        services.AddOptions<KeyManagementOptions>().Configure<DatabaseXmlRepository>((keys, repository) => keys.XmlRepository = repository);
        return services;
    }

    /// <summary>
    /// At start-up, inside <see cref="StartupLock"/>: makes sure the token-signing key and a data-protection key exist,
    /// so replicas started together never each create their own.
    /// </summary>
    internal static void EnsureSharedKeys(IServiceProvider services)
    {
        services.GetRequiredService<SymmetricSecurityKey>();
        services.GetRequiredService<IDataProtectionProvider>().CreateProtector("ferry:start-up").Protect([1]);
    }
}
