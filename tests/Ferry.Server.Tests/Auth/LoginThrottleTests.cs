using Ferry.Server.Auth;

namespace Ferry.Server.Tests.Auth;

public sealed class LoginThrottleTests
{
    private sealed class ManualTime : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

        public override DateTimeOffset GetUtcNow() => Now;
    }

    [Fact]
    public void RetryAfter_LimitReached_UntilOldestFailureLeavesWindow()
    {
        var time = new ManualTime();
        var sut = new LoginThrottle(new FerryServerOptions { LoginAttempts = 3, LoginWindow = TimeSpan.FromMinutes(10) }, time);
        for (var i = 0; i < 3; i++)
        {
            Assert.Null(sut.RetryAfter("Ann", "10.0.0.1"));
            sut.RecordFailure("ann", "10.0.0.1");
            time.Now += TimeSpan.FromMinutes(1);
        }

        Assert.Equal(TimeSpan.FromMinutes(7), sut.RetryAfter("ANN", "10.0.0.1"));
        Assert.Null(sut.RetryAfter("ann", "10.0.0.2"));
        time.Now += TimeSpan.FromMinutes(7);
        Assert.Null(sut.RetryAfter("ann", "10.0.0.1"));
    }

    [Fact]
    public void RecordSuccess_ClearsFailures()
    {
        var sut = new LoginThrottle(new FerryServerOptions { LoginAttempts = 1 }, new ManualTime());
        sut.RecordFailure("bob", "a");

        sut.RecordSuccess("bob", "a");

        Assert.Null(sut.RetryAfter("bob", "a"));
    }

    [Fact]
    public void RetryAfter_OneAddressManyUserNames_RefusedAtTenTimesTheLimit()
    {
        var sut = new LoginThrottle(new FerryServerOptions { LoginAttempts = 2 }, new ManualTime());
        for (var i = 0; i < 20; i++)
        {
            Assert.Null(sut.RetryAfter($"user{i}", "10.0.0.9"));
            sut.RecordFailure($"user{i}", "10.0.0.9");
        }

        Assert.NotNull(sut.RetryAfter("someone-new", "10.0.0.9"));
        Assert.Null(sut.RetryAfter("someone-new", "10.0.0.10"));
    }

    [Fact]
    public void RecordFailure_ManyDistinctUserNames_TrackedKeysStayAtTheCapAndTheAddressLimitHolds()
    {
        var sut = new LoginThrottle(new FerryServerOptions { LoginAttempts = 5, LoginTrackedKeys = 100 }, new ManualTime());

        for (var i = 0; i < 10_000; i++)
        {
            sut.RecordFailure($"name{i}", "10.0.0.7");
        }

        Assert.Equal(100, sut.TrackedKeys);
        Assert.NotNull(sut.RetryAfter("someone-new", "10.0.0.7"));
    }

    [Fact]
    public void RecordFailure_AfterTheWindow_ForgetsExpiredKeys()
    {
        var time = new ManualTime();
        var sut = new LoginThrottle(new FerryServerOptions { LoginWindow = TimeSpan.FromMinutes(15) }, time);
        for (var i = 0; i < 50; i++)
        {
            sut.RecordFailure($"name{i}", $"10.0.1.{i}");
        }

        time.Now += TimeSpan.FromMinutes(15);
        sut.RecordFailure("late", "10.0.2.1");

        Assert.Equal(2, sut.TrackedKeys);
    }
}
