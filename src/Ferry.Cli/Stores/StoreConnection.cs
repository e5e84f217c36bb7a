using Ferry.Core.Storage;
using Ferry.Storage.S3;

namespace Ferry.Cli.Stores;

/// <summary>
/// The one place where a <see cref="StoreLocation"/> becomes a store: a local directory, or S3 through
/// <see cref="S3StoreFactory"/>. Problems become <see cref="CliException"/>s with exit code 2.
/// </summary>
internal static class StoreConnection
{
    public static StoreLocation ParseLocation(string text)
    {
        try
        {
            return StoreLocation.Parse(text);
        }
        catch (FormatException ex)
        {
            throw CliException.Usage(ex.Message);
        }
    }

    public static IObjectStore Open(StoreLocation location, S3ConnectionOptions s3)
    {
        if (location.Scheme == StoreScheme.Local)
        {
            return new LocalDirectoryStore(location.Container);
        }

        try
        {
            var store = S3StoreFactory.Create(s3, location.Container);
            store.AccessCheckPrefix = location.Prefix; // a policy limited to the prefix (ferry s3 policy --prefix) passes the check
            return store;
        }
        catch (StoreException ex)
        {
            throw CliException.Usage(ex.Message);
        }
        catch (FormatException ex)
        {
            throw CliException.Usage(ex.Message);
        }
    }

    /// <summary>Checks reachability, credentials and the bucket before any transfer; transient errors get a few tries.</summary>
    public static async Task CheckAccessAsync(IObjectStore store, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(30));
            try
            {
                await store.CheckAccessAsync(timeout.Token);
                return;
            }
            catch (StoreException ex) when (ex.Kind is StoreErrorKind.Transient or StoreErrorKind.Throttled && attempt < 3)
            {
                await Task.Delay(TimeSpan.FromSeconds(attempt), cancellationToken);
            }
            catch (StoreException ex)
            {
                throw CliException.Usage(ex.Message);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw CliException.Usage($"{store.Description} did not answer within 30 seconds; check --endpoint and the network");
            }
        }
    }
}
