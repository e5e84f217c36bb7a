namespace Ferry.Core.Privacy;

/// <summary>
/// Keeps erasure and donation apart on one machine or data directory, across processes: every running donation holds
/// <c>STAGING/.donations.lock</c> shared, an erasure holds it exclusively — so an erasure waits for the donations that
/// are running (then erases what they wrote) and no donation starts while an erasure runs. Uses the operating
/// system's file locks (<c>flock</c> on Linux and macOS, share modes on Windows): a crashed process holds nothing.
/// </summary>
public sealed class DonationLock : IDisposable
{
    public const string FileName = ".donations.lock";

    private readonly FileStream _file;

    private DonationLock(FileStream file) => _file = file;

    /// <summary>Taken by a donation for as long as it runs; waits while an erasure holds the lock.</summary>
    public static Task<DonationLock> ShareAsync(string stagingRoot, TimeSpan wait, CancellationToken cancellationToken) =>
        TakeAsync(stagingRoot, FileShare.ReadWrite, wait, "an erasure is running on this machine; donate again when it has finished", cancellationToken);

    /// <summary>Taken by an erasure; waits (up to <paramref name="wait"/>) for running donations to end.</summary>
    public static Task<DonationLock> ExclusiveAsync(string stagingRoot, TimeSpan wait, CancellationToken cancellationToken) =>
        TakeAsync(stagingRoot, FileShare.None, wait, $"a donation was still running after {wait.TotalMinutes:0} minute(s); run the erasure again when it has finished", cancellationToken);

    private static async Task<DonationLock> TakeAsync(string stagingRoot, FileShare share, TimeSpan wait, string timeout, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(stagingRoot);
        var path = Path.Combine(stagingRoot, FileName);
        var deadline = Environment.TickCount64 + (long)wait.TotalMilliseconds;
        while (true)
        {
            try
            {
                return new DonationLock(new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, share));
            }
            catch (IOException) when (Environment.TickCount64 < deadline)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(200), cancellationToken);
            }
            catch (IOException)
            {
                throw new PrivacyException(timeout);
            }
        }
    }

    public void Dispose() => _file.Dispose();
}
