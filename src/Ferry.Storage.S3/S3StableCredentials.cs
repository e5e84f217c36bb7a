using Amazon.Runtime;

namespace Ferry.Storage.S3;

/// <summary>
/// Hands out one set of credentials (key id, secret, session token) at a time, and moves to the next set only when the
/// current one is halfway from when it was taken to when the SDK would stop using it. Wraps the SDK's resolved (and
/// refreshing) credentials for the AWS SDK client and Ferry's own signers alike.
/// <para>
/// Why: the SDK's Signer handler asks its credentials twice per request — once for the X-Amz-Security-Token header, once
/// more inside the signer for the key — and its refreshing credentials swap to new keys in the background as soon as they
/// are within PreemptExpiryTime (15 minutes for container and web-identity credentials) of expiry. Credentials that live
/// 15 minutes (the shortest an AssumeRole grants) or less are inside that window from the start, so the SDK swaps on every
/// use and a request can go out signed with the new key but carrying the old token (seen in CredentialChainTests). Here
/// one set is kept long enough that a swap lands between two requests' asks only at the rare swap itself.
/// </para>
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA1001", Justification = "AWSCredentials is not disposable; the semaphore never allocates a wait handle, so it holds nothing to release.")]
internal sealed class S3StableCredentials : AWSCredentials
{
    /// <summary>The least time one set is kept (so credentials near expiry are not fetched on every request).</summary>
    private static readonly TimeSpan MinimumHold = TimeSpan.FromSeconds(1);

    /// <summary>How often credentials that carry a token but report no expiry (instance metadata, environment) are asked again.</summary>
    private static readonly TimeSpan UnknownExpiryHold = TimeSpan.FromMinutes(1);

    private readonly AWSCredentials _inner;
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _refresh = new(1, 1);
    private volatile Snapshot? _current;

    public S3StableCredentials(AWSCredentials inner, TimeProvider? time = null)
    {
        _inner = inner;
        _time = time ?? TimeProvider.System;
    }

    /// <summary>The resolved credentials this wraps (the SDK's type names the source).</summary>
    public AWSCredentials Inner => _inner;

    public override DateTime? Expiration => _inner.Expiration;

    public override ImmutableCredentials GetCredentials()
    {
        if (Current() is { } current)
        {
            return current;
        }

        _refresh.Wait();
        try
        {
            return Current() ?? Take(_inner.GetCredentials());
        }
        finally
        {
            _refresh.Release();
        }
    }

    public override async Task<ImmutableCredentials> GetCredentialsAsync()
    {
        if (Current() is { } current)
        {
            return current;
        }

        await _refresh.WaitAsync().ConfigureAwait(false);
        try
        {
            return Current() ?? Take(await _inner.GetCredentialsAsync().ConfigureAwait(false));
        }
        finally
        {
            _refresh.Release();
        }
    }

    private ImmutableCredentials? Current() => _current is { } snapshot && _time.GetUtcNow() < snapshot.RefreshAt ? snapshot.Credentials : null;

    private ImmutableCredentials Take(ImmutableCredentials credentials)
    {
        var now = _time.GetUtcNow();
        DateTimeOffset refreshAt;
        if (_inner.Expiration is { } expiration)
        {
            // The SDK's Expiration is already less its ExpirationBuffer: the moment it stops using these keys.
            var usableFor = new DateTimeOffset(DateTime.SpecifyKind(expiration, DateTimeKind.Utc)) - now;
            refreshAt = now + (usableFor / 2 > MinimumHold ? usableFor / 2 : MinimumHold);
        }
        else
        {
            refreshAt = credentials.UseToken ? now + UnknownExpiryHold : DateTimeOffset.MaxValue;
        }

        _current = new Snapshot(credentials, refreshAt);
        return credentials;
    }

    private sealed record Snapshot(ImmutableCredentials Credentials, DateTimeOffset RefreshAt);
}
