using Ferry.Core.Transfer;

namespace Ferry.Core.Tests.Transfer;

/// <summary>
/// The adaptive-concurrency decisions, driven by made-up windows: every window fills the gate to the
/// limit, completes the given requests and bytes, and lasts one second. No clock is involved.
/// </summary>
public sealed class ConcurrencyControllerTests
{
    private static readonly TimeSpan Second = TimeSpan.FromSeconds(1);

    [Fact]
    public void EndWindow_ThroughputRisesWithEveryRaise_ClimbsToTheCap()
    {
        var sut = new ConcurrencyController(16, 1, 64);
        var limits = new List<int>();

        // A far-away link: each request waits on the round trip, so throughput grows with the requests in flight.
        for (var i = 0; i < 20; i++)
        {
            RunFullWindow(sut, requests: sut.Limit * 10, bytes: 0);
            limits.Add(sut.Limit);
        }

        Assert.Equal(64, sut.Limit);
        Assert.Equal([20, 25, 31, 38, 47, 58, 64], limits.Distinct());
    }

    [Fact]
    public void EndWindow_ThroughputFlat_RaiseUndoneAndProbedOnlyAfterTheHold()
    {
        var sut = new ConcurrencyController(16, 1, 64);

        // Loopback or a capped link: more requests in flight do not add throughput.
        RunFullWindow(sut, requests: 1000, bytes: 0);
        Assert.Equal(20, sut.Limit);
        RunFullWindow(sut, requests: 1000, bytes: 0);
        Assert.Equal(16, sut.Limit);
        for (var i = 0; i < ConcurrencyController.ProbeInterval; i++)
        {
            RunFullWindow(sut, requests: 1000, bytes: 0);
            Assert.Equal(16, sut.Limit);
        }

        RunFullWindow(sut, requests: 1000, bytes: 0);
        Assert.Equal(20, sut.Limit);
        RunFullWindow(sut, requests: 1000, bytes: 0);
        Assert.Equal(16, sut.Limit);
    }

    [Fact]
    public void EndWindow_ThroughputFallsAfterRaise_RaiseUndone()
    {
        var sut = new ConcurrencyController(16, 1, 64);

        RunFullWindow(sut, requests: 1000, bytes: 0);
        RunFullWindow(sut, requests: 600, bytes: 0);

        Assert.Equal(16, sut.Limit);
    }

    [Fact]
    public void EndWindow_BytesRiseWhileRequestsDoNot_CountsAsGain()
    {
        var sut = new ConcurrencyController(8, 1, 64);

        RunFullWindow(sut, requests: 10, bytes: 100_000_000);
        RunFullWindow(sut, requests: 10, bytes: 150_000_000);

        Assert.Equal(12, sut.Limit);
    }

    [Fact]
    public void EndWindow_GateNotFull_NoRaise()
    {
        var sut = new ConcurrencyController(16, 1, 64);

        // Only 4 in flight: the supply of work, not the limit, held the run back.
        for (var i = 0; i < 5; i++)
        {
            Run(sut, inFlight: 4, requests: 1000 * (i + 1), bytes: 0);
        }

        Assert.Equal(16, sut.Limit);
    }

    [Fact]
    public void OnCongestion_HalvesOncePerWindowAndHoldsBeforeGrowingAgain()
    {
        var sut = new ConcurrencyController(40, 1, 64);

        sut.OnCongestion();
        sut.OnCongestion();
        sut.OnCongestion();
        Assert.Equal(20, sut.Limit);
        Assert.Equal(1, sut.Backoffs);

        // The congested window itself decides nothing, then the hold keeps the limit.
        RunFullWindow(sut, requests: 1000, bytes: 0);
        Assert.Equal(20, sut.Limit);
        for (var i = 0; i < ConcurrencyController.ProbeInterval; i++)
        {
            RunFullWindow(sut, requests: 1000 + i * 500, bytes: 0);
            Assert.Equal(20, sut.Limit);
        }

        RunFullWindow(sut, requests: 5000, bytes: 0);
        Assert.Equal(25, sut.Limit);

        sut.OnCongestion();
        Assert.Equal(12, sut.Limit);
        Assert.Equal(2, sut.Backoffs);
    }

    [Fact]
    public void OnCongestion_Repeated_NeverBelowMinimum()
    {
        var sut = new ConcurrencyController(16, 2, 64);

        for (var i = 0; i < 10; i++)
        {
            sut.OnCongestion();
            sut.EndWindow(Second);
        }

        Assert.Equal(2, sut.Limit);
    }

    [Fact]
    public void Fixed_NeitherGrowsNorBacksOff()
    {
        var sut = new ConcurrencyController(16, 16, 16);

        sut.OnCongestion();
        for (var i = 0; i < 5; i++)
        {
            RunFullWindow(sut, requests: 1000 * (i + 1), bytes: 0);
        }

        Assert.False(sut.IsAdaptive);
        Assert.Equal(16, sut.Limit);
        Assert.Equal(0, sut.Backoffs);
    }

    [Fact]
    public void EndWindow_FewerCompletionsThanTheLimit_StaysOpenUntilTheLongestWindow()
    {
        var sut = new ConcurrencyController(16, 1, 64);
        Fill(sut, 16);
        ReleaseAll(sut, 16, requests: 3, bytes: 0);

        Assert.False(sut.EndWindow(Second, TimeSpan.FromSeconds(5)));
        Fill(sut, 16);
        ReleaseAll(sut, 16, requests: 20, bytes: 0);
        Assert.True(sut.EndWindow(TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(5)));
        Assert.Equal(20, sut.Limit);
    }

    [Fact]
    public async Task AcquireAsync_AtTheLimit_WaitsForARelease()
    {
        var sut = new ConcurrencyController(2, 1, 4);
        await sut.AcquireAsync(CancellationToken.None);
        await sut.AcquireAsync(CancellationToken.None);

        var third = sut.AcquireAsync(CancellationToken.None);
        Assert.False(third.IsCompleted);

        sut.Release(1, 0);
        await third.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(2, sut.InFlight);
    }

    [Fact]
    public async Task AcquireAsync_AfterBackoff_AdmitsOnlyOnceBelowTheNewLimit()
    {
        var sut = new ConcurrencyController(4, 1, 8);
        Fill(sut, 4);
        sut.OnCongestion();
        Assert.Equal(2, sut.Limit);

        var next = sut.AcquireAsync(CancellationToken.None);
        sut.Release(1, 0);
        sut.Release(1, 0);
        Assert.False(next.IsCompleted);

        sut.Release(1, 0);
        await next.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(2, sut.InFlight);
    }

    [Fact]
    public async Task AcquireAsync_Cancelled_LeavesTheQueue()
    {
        var sut = new ConcurrencyController(1, 1, 1);
        await sut.AcquireAsync(CancellationToken.None);
        using var cancel = new CancellationTokenSource();

        var waiting = sut.AcquireAsync(cancel.Token);
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);
        sut.Release(1, 0);
        Assert.Equal(0, sut.InFlight);
    }

    private static void RunFullWindow(ConcurrencyController sut, long requests, long bytes) => Run(sut, sut.Limit, requests, bytes);

    private static void Run(ConcurrencyController sut, int inFlight, long requests, long bytes)
    {
        Fill(sut, inFlight);
        ReleaseAll(sut, inFlight, requests, bytes);
        sut.EndWindow(Second);
    }

    private static void Fill(ConcurrencyController sut, int count)
    {
        for (var i = 0; i < count; i++)
        {
            Assert.True(sut.AcquireAsync(CancellationToken.None).IsCompletedSuccessfully);
        }
    }

    private static void ReleaseAll(ConcurrencyController sut, int count, long requests, long bytes)
    {
        sut.Release(requests, bytes);
        for (var i = 1; i < count; i++)
        {
            sut.Release(0, 0);
        }
    }
}
