namespace Ferry.Server.Sessions;

/// <summary>Why a session call was refused; the API answers each kind with its status (docs/api.md).</summary>
internal enum SessionRefusalKind
{
    /// <summary>The request is invalid (400).</summary>
    Invalid,

    /// <summary>The session, project, cycle or multipart upload is not the caller's company's, or does not exist (404).</summary>
    NotFound,

    /// <summary>The session is finished (409).</summary>
    Finished,

    /// <summary>The storage server cannot do it, or this server does not (501).</summary>
    Unsupported,

    /// <summary>The caller has as many such calls running as one user may (429).</summary>
    TooMany,
}

/// <summary>
/// A refused session call: what the Sessions services answer instead of a result, for the API and the job worker's
/// in-process session calls alike. For <see cref="SessionRefusalKind.NotFound"/> the message names what was not found.
/// </summary>
internal sealed record SessionRefusal(SessionRefusalKind Kind, string Message)
{
    public static SessionRefusal Invalid(string message) => new(SessionRefusalKind.Invalid, message);

    /// <param name="what">What was not found, e.g. "session 12".</param>
    public static SessionRefusal NotFound(string what) => new(SessionRefusalKind.NotFound, what);

    public static SessionRefusal Finished(long sessionId) => new(SessionRefusalKind.Finished, $"session {sessionId} is finished; start a new session to upload more");

    public static SessionRefusal Unsupported(string message) => new(SessionRefusalKind.Unsupported, message);

    public static SessionRefusal TooMany(string message) => new(SessionRefusalKind.TooMany, message);

    /// <summary>The sentence a client reads (the API's problem detail).</summary>
    public string Detail => Kind == SessionRefusalKind.NotFound ? $"{Message} was not found" : Message;
}
