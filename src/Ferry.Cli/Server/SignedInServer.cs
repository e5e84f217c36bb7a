using Ferry.Client;

namespace Ferry.Cli.Server;

/// <summary>
/// The Ferry server a command names with <c>--server</c>, called with the token <c>ferry login URL</c> stored for it
/// (<see cref="ServerTokenStore"/>; not signed in, or an expired token, is a usage error there).
/// </summary>
internal static class SignedInServer
{
    /// <summary>An API client of <paramref name="server"/> (a URL as the user typed it) with its stored token; <paramref name="timeout"/> per call (default 100 s).</summary>
    public static FerryApiClient Connect(string server, TimeProvider time, TimeSpan? timeout = null)
    {
        var url = ServerTokenStore.Normalize(server);
        return new FerryApiClient(url, ServerTokenStore.Find(url, time), timeout);
    }

    /// <summary>
    /// Runs <paramref name="action"/> with a client of <paramref name="server"/>; a refusal or an unreachable server
    /// (<see cref="FerryApiException"/>) becomes the server's sentence in one line with exit 2. A command that maps some
    /// refusals otherwise catches them inside <paramref name="action"/>.
    /// </summary>
    public static async Task<int> RunAsync(string server, Func<FerryApiClient, Task<int>> action)
    {
        using var api = Connect(server, TimeProvider.System);
        try
        {
            return await action(api);
        }
        catch (FerryApiException ex)
        {
            throw CliException.Usage(ex.Message);
        }
    }
}
