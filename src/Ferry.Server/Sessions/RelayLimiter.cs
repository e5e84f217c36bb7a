namespace Ferry.Server.Sessions;

/// <summary>
/// The relay requests of each user in this server process: one user cannot have more than <see cref="PerUser"/> at
/// once, each holding at most <see cref="SessionRelayService.WritesInFlight"/> files' bytes (the upload page sends 3).
/// </summary>
internal sealed class RelayLimiter() : UserLeases(PerUser)
{
    public const int PerUser = 4;
}
