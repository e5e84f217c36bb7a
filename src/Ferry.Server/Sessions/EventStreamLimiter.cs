namespace Ferry.Server.Sessions;

/// <summary>
/// The open server-sent event streams of each user in this server process: one user cannot hold more than
/// <see cref="FerryServerOptions.EventStreamsPerUser"/> connections (and their database polls) open at once.
/// </summary>
internal sealed class EventStreamLimiter(FerryServerOptions options) : UserLeases(options.EventStreamsPerUser);
