using Ferry.Core.Storage;

namespace Ferry.Server.Storage;

/// <summary>
/// What a company is told when something on the server's side fails (its storage, the server's disk or database): the
/// kind of failure in a few words, never the exception's text, which can carry the endpoint, the bucket, S3's error code
/// and request id, or the server's paths (that text goes to the server log).
/// </summary>
internal static class ServerFailureText
{
    public static string Describe(Exception ex) => ex switch
    {
        StoreException store => Describe(store.Kind),
        HttpRequestException => Describe(StoreErrorKind.Unreachable),
        IOException or UnauthorizedAccessException => Describe(StoreErrorKind.LocalStorage),
        System.Data.Common.DbException => "the server's database failed",
        System.Security.Cryptography.CryptographicException => "the stored secret cannot be decrypted with this server's storage.key",
        FormatException or ArgumentException => "the storage location's settings are not valid",
        _ => "the server could not complete it",
    };

    public static string Describe(StoreErrorKind kind) => kind switch
    {
        StoreErrorKind.ContainerNotFound => "the bucket does not exist",
        StoreErrorKind.InvalidCredentials => "the credentials were refused or are missing",
        StoreErrorKind.AccessDenied => "access was denied",
        StoreErrorKind.Unreachable => "the endpoint could not be reached",
        StoreErrorKind.Transient => "the storage service failed or did not answer in time",
        StoreErrorKind.Throttled => "the storage service asked to slow down",
        StoreErrorKind.LocalStorage => "the server could not write its files",
        _ => "the storage service refused the request",
    };

    /// <summary><paramref name="text"/> without the server's data folder (where work, outbox and staging folders are).</summary>
    public static string WithoutDataFolder(string text, FerryServerOptions options) =>
        text.Replace(options.ResolvedDataDirectory, "(the server's data folder)", StringComparison.Ordinal);
}
