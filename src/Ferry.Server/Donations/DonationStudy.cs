using System.Collections.Concurrent;
using System.Globalization;
using Ferry.Core.Privacy;
using Ferry.Core.Storage;
using Ferry.Storage.S3;

namespace Ferry.Server.Donations;

/// <summary>
/// The server's donation study: its rules and consent policy (from the configured files, else Ferry's defaults), one
/// secret key per company (created on first use, sealed with <c>storage.key</c> in the database so every replica uses
/// the same one — <see cref="PseudonymKeyStore"/> — and never beside the donated data), and the S3 destination,
/// reached with the server's own credentials.
/// </summary>
internal sealed class DonationStudy(FerryServerOptions options, IServiceScopeFactory scopes, Storage.StorageSecrets secrets, TimeProvider time) : IDisposable
{
    private readonly ConcurrentDictionary<long, Pseudonymizer> _pseudonymizers = new();
    private readonly Lazy<PseudonymizationRules> _rules = new(() => options.DonationRulesFile is { } path ? PseudonymizationRules.Load(path) : PseudonymizationRules.TrainingLogs("ferry-donations"));
    private readonly Lazy<ConsentPolicy> _policy = new(() => options.DonationPolicyFile is { } path ? ConsentPolicy.Load(path) : ConsentPolicy.Default);
    private readonly Lazy<(IObjectStore Store, StoreLocation Location)?> _destination = new(() => Open(options));

    public bool IsConfigured => options.DonationDestination is not null;

    public PseudonymizationRules Rules => _rules.Value;

    /// <summary>The largest donation upload accepted, in bytes (<c>Ferry:DonationMaximumBytes</c>).</summary>
    public long MaximumBytes => options.DonationMaximumBytes;

    public ConsentPolicy Policy => _policy.Value;

    /// <summary>The store and the company's key prefix (<c>PREFIX/COMPANY/</c>); null when no destination is configured.</summary>
    public (IObjectStore Store, string Prefix)? Destination(long companyId) =>
        _destination.Value is { } d ? (d.Store, d.Location.Prefix + companyId.ToString(CultureInfo.InvariantCulture) + "/") : null;

    public string DestinationText(long companyId) =>
        _destination.Value is { } d ? $"s3://{d.Location.Container}/{d.Location.Prefix}{companyId.ToString(CultureInfo.InvariantCulture)}/" : "(not configured)";

    public Pseudonymizer For(long companyId) => _pseudonymizers.GetOrAdd(companyId, id =>
    {
        using var scope = scopes.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<FerryDbContext>();
        return new Pseudonymizer(Rules, PseudonymKeyStore.LoadOrCreate(id, db, secrets, options.ResolvedDataDirectory, time));
    });

    /// <summary>A user's donor pseudonym in their company: stable across renames (it is made from the user id).</summary>
    public string DonorOf(long companyId, long userId) => For(companyId).Pseudonym("user:" + userId.ToString(CultureInfo.InvariantCulture));

    private static (IObjectStore Store, StoreLocation Location)? Open(FerryServerOptions options)
    {
        if (options.DonationDestination is not { } destination)
        {
            return null;
        }

        var location = StoreLocation.Parse(destination);
        var store = S3StoreFactory.Create(new S3ConnectionOptions
        {
            Endpoint = options.DonationEndpoint is { } endpoint ? new Uri(endpoint) : null,
            Region = options.DonationRegion,
            Credentials = options.S3AccessKeyId is { } id ? (id, options.S3SecretAccessKey!) : null,
            MaxConnections = 16,
        }, location.Container);
        return (store, location);
    }

    public void Dispose()
    {
        if (_destination.IsValueCreated && _destination.Value is { Store: IDisposable disposable })
        {
            disposable.Dispose();
        }
    }
}
