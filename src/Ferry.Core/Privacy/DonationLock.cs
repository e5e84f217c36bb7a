namespace Ferry.Core.Privacy;

/// <summary>
/// Keeps erasure and donation apart on one machine or data directory, across processes: every running donation holds
/// <c>STAGING/.donations.lock</c> shared, an erasure holds it exclusively — so an erasure waits for the donations that
/// are running (then erases what they wrote) and no donation starts while an erasure runs. Uses the operating
/// system's file locks (<see cref="OsFileLock"/>: <c>flock</c> on Linux and macOS, share modes on Windows): a crashed
/// process holds nothing.
/// </summary>
public sealed class DonationLock : IDisposable
{
    public const string FileName = ".donations.lock";

    private readonly OsFileLock _lock;

    private DonationLock(OsFileLock held) => _lock = held;

    /// <summary>Taken by a donation for as long as it runs; waits while an erasure holds the lock.</summary>
    public static Task<DonationLock> ShareAsync(string stagingRoot, TimeSpan wait, CancellationToken cancellationToken) =>
        TakeAsync(stagingRoot, exclusive: false, wait, "an erasure is running on this machine; donate again when it has finished", cancellationToken);

    /// <summary>Taken by an erasure; waits (up to <paramref name="wait"/>) for running donations to end.</summary>
    public static Task<DonationLock> ExclusiveAsync(string stagingRoot, TimeSpan wait, CancellationToken cancellationToken) =>
        TakeAsync(stagingRoot, exclusive: true, wait, $"a donation was still running after {wait.TotalMinutes:0} minute(s); run the erasure again when it has finished", cancellationToken);

    private static async Task<DonationLock> TakeAsync(string stagingRoot, bool exclusive, TimeSpan wait, string timeout, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(stagingRoot);
        var path = Path.Combine(stagingRoot, FileName);
        var deadline = Environment.TickCount64 + (long)wait.TotalMilliseconds;
        while (true)
        {
            if (OsFileLock.TryTake(path, exclusive) is { } held)
            {
                return new DonationLock(held);
            }

            if (Environment.TickCount64 >= deadline)
            {
                throw new PrivacyException(timeout);
            }

            await Task.Delay(TimeSpan.FromMilliseconds(200), cancellationToken).ConfigureAwait(false);
        }
    }

    public void Dispose() => _lock.Dispose();
}
