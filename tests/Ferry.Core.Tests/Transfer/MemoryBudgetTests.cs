using Ferry.Core.Transfer;

namespace Ferry.Core.Tests.Transfer;

public sealed class MemoryBudgetTests
{
    [Fact]
    public async Task AcquireAsync_OverCapacity_WaitsForRelease()
    {
        var sut = new MemoryBudget(100);
        await sut.AcquireAsync(60, CancellationToken.None);

        var second = sut.AcquireAsync(60, CancellationToken.None);
        Assert.False(second.IsCompleted);

        sut.Release(60);
        await second.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(60, sut.Held);
    }

    [Fact]
    public async Task AcquireAsync_LargerThanCapacity_GrantedWhenNothingElseHeld()
    {
        var sut = new MemoryBudget(100);

        await sut.AcquireAsync(500, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(5));

        Assert.Equal(500, sut.Held);
    }

    [Fact]
    public async Task AcquireAsync_Cancelled_LeavesBudgetUntouched()
    {
        var sut = new MemoryBudget(100);
        await sut.AcquireAsync(100, CancellationToken.None);
        using var cancel = new CancellationTokenSource();

        var waiting = sut.AcquireAsync(10, cancel.Token);
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);
        sut.Release(100);
        Assert.Equal(0, sut.Held);
    }
}
