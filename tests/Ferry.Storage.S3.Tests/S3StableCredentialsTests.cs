using Amazon.Runtime;

namespace Ferry.Storage.S3.Tests;

public sealed class S3StableCredentialsTests
{
    [Fact]
    public async Task GetCredentials_InnerSwapsOnEveryAsk_SameKeyAndTokenUntilHalfwayToExpiry()
    {
        // Like the SDK's refreshing credentials inside their preempt window: a new set on every ask.
        var time = new ManualTime(new DateTimeOffset(2026, 11, 30, 12, 0, 0, TimeSpan.Zero));
        var inner = new RotatingCredentials(time, usableFor: TimeSpan.FromMinutes(10));
        var sut = new S3StableCredentials(inner, time);

        var first = await sut.GetCredentialsAsync();
        var again = sut.GetCredentials();
        time.Now += TimeSpan.FromMinutes(4);
        var later = await sut.GetCredentialsAsync();
        time.Now += TimeSpan.FromMinutes(1) + TimeSpan.FromSeconds(1);
        var refreshed = await sut.GetCredentialsAsync();

        Assert.Equal(("K1", "T1"), (first.AccessKey, first.Token));
        Assert.Same(first, again);
        Assert.Same(first, later);
        Assert.Equal(("K2", "T2"), (refreshed.AccessKey, refreshed.Token));
        Assert.Equal(2, inner.Asked);
    }

    [Fact]
    public void GetCredentials_LongLivedKeys_AskedOnce()
    {
        var time = new ManualTime(DateTimeOffset.UnixEpoch);
        var inner = new BasicAWSCredentials("AKIDLONGLIVED", "secret");
        var sut = new S3StableCredentials(inner, time);

        var first = sut.GetCredentials();
        time.Now += TimeSpan.FromDays(30);

        Assert.Same(first, sut.GetCredentials());
    }

    private sealed class ManualTime(DateTimeOffset start) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = start;

        public override DateTimeOffset GetUtcNow() => Now;
    }

    private sealed class RotatingCredentials(ManualTime time, TimeSpan usableFor) : AWSCredentials
    {
        private DateTime? _expiration;

        public int Asked { get; private set; }

        public override DateTime? Expiration => _expiration;

        public override ImmutableCredentials GetCredentials()
        {
            Asked++;
            _expiration = (time.Now + usableFor).UtcDateTime;
            return new ImmutableCredentials($"K{Asked}", $"S{Asked}", $"T{Asked}");
        }

        public override Task<ImmutableCredentials> GetCredentialsAsync() => Task.FromResult(GetCredentials());
    }
}
