namespace Ferry.Server.Camtrap;

/// <summary>How long a package's presigned media links live.</summary>
internal static class CamtrapLinkLifetime
{
    /// <summary>
    /// The least of what was asked (<paramref name="askedHours"/>), the operator's ceiling
    /// (<see cref="FerryServerOptions.CamtrapLinkLifetime"/>, else <see cref="FerryServerOptions.PresignLifetime"/>) and
    /// the time the caller's sign-in has left (<paramref name="notAfter"/>), in whole seconds; null for plain URLs (0 hours).
    /// </summary>
    public static TimeSpan? Of(int askedHours, FerryServerOptions options, DateTimeOffset now, DateTimeOffset? notAfter)
    {
        if (askedHours == 0)
        {
            return null;
        }

        var ceiling = options.CamtrapLinkLifetime ?? options.PresignLifetime;
        var asked = TimeSpan.FromHours(askedHours);
        return Sessions.SessionFileService.PresignLifetime(asked < ceiling ? asked : ceiling, now, notAfter);
    }
}
