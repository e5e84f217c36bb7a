using System.CommandLine;
using Ferry.Cli.Stores;
using Ferry.Core.Bundles;
using Ferry.Core.Storage;
using Ferry.Storage.S3;

namespace Ferry.Cli.Commands;

/// <summary>
/// Opens the store of a bundle's destination for <c>export</c> and <c>outbox flush</c>: the endpoint, region and
/// profile recorded with the bundle, each overridden by the flag when given; credentials from the environment.
/// </summary>
internal static class BundleStores
{
    public static Func<BundleDestination, IObjectStore> Opener(ParseResult parse, S3Options s3) => destination =>
    {
        var location = StoreLocation.Parse(destination.Location);
        var connection = s3.Read(parse, 40, destination.Endpoint, destination.Region, destination.Profile);
        return location.Scheme == StoreScheme.Local
            ? new LocalDirectoryStore(location.Container)
            : S3StoreFactory.Create(connection, location.Container);
    };

    /// <summary>The destination to record with a new bundle: the location and the flags that reach it (never credentials).</summary>
    public static BundleDestination Describe(ParseResult parse, S3Options s3, string destination)
    {
        var location = StoreConnection.ParseLocation(destination);
        if (location.Scheme == StoreScheme.Local)
        {
            return new BundleDestination(location.ToString());
        }

        var connection = s3.Read(parse, 1);
        return new BundleDestination(location.ToString(), connection.Endpoint?.ToString(), connection.Region, connection.Profile);
    }
}
