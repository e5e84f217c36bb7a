namespace Ferry.Cli.Commands;

/// <summary>The settings a command that runs a host (<c>ferry serve</c>, <c>ferry worker</c>) adds to its own.</summary>
internal static class HostSettings
{
    /// <summary>
    /// The generic host logs a hosted service that fails to start (an unmigrated database, a wrong storage.key) at Error
    /// with its stack trace, then rethrows it, and the command prints it as one line: that log is left out unless
    /// FERRY_DEBUG=1. A background service that fails later is still logged, at Critical, as it stops the host.
    /// </summary>
    public static Dictionary<string, string?> WithOneLineStartFailures(Dictionary<string, string?> settings)
    {
        if (Environment.GetEnvironmentVariable("FERRY_DEBUG") != "1")
        {
            settings["Logging:LogLevel:Microsoft.Extensions.Hosting.Internal.Host"] = "Critical";
        }

        return settings;
    }
}
