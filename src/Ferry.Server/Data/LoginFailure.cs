namespace Ferry.Server.Data;

/// <summary>
/// One failed sign-in (or password change) counted by <see cref="Auth.LoginThrottle"/> under a throttle key (user name
/// and address, or the address alone). Rows older than the window are deleted. Server-wide: sign-in happens before
/// anyone's company is known, so it has no tenant filter.
/// </summary>
internal sealed class LoginFailure
{
    public long Id { get; set; }
    public required string ThrottleKey { get; set; }
    public DateTimeOffset FailedAt { get; set; }
}
