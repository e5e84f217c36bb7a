namespace Ferry.Server.Sessions;

/// <summary>
/// What relay calls may hold in this server process: one user has at most <see cref="PerUser"/> calls running at once
/// (the upload page sends 3), and all calls together hold at most <see cref="WritesPerProcess"/> files' bytes
/// (<see cref="Writes"/>; each call at most <see cref="SessionRelayService.WritesInFlight"/>): a call past that waits.
/// So relayed bytes in memory stay under 64 files of at most <see cref="FerryServerOptions.RelayMaximumFileSize"/>.
/// </summary>
internal sealed class RelayLimiter() : UserLeases(PerUser), IDisposable
{
    public const int PerUser = 4;

    public const int WritesPerProcess = 64;

    /// <summary>The process's slots for a file's bytes being written; a call takes one per file before reading it.</summary>
    public SemaphoreSlim Writes { get; } = new(WritesPerProcess);

    public void Dispose() => Writes.Dispose();
}
