namespace Ferry.Server.Camtrap;

/// <summary>Why an export was not made, with one line for the user: not found (404), nothing to export (409), another export of the company running (409) or a request that cannot be exported (400).</summary>
internal sealed record CamtrapRefusal(CamtrapRefusalKind Kind, string Message)
{
    public static CamtrapRefusal NotFound(string what) => new(CamtrapRefusalKind.NotFound, what);

    public static CamtrapRefusal Empty(string message) => new(CamtrapRefusalKind.Empty, message);

    public static CamtrapRefusal Invalid(string message) => new(CamtrapRefusalKind.Invalid, message);

    public static CamtrapRefusal Busy(string message) => new(CamtrapRefusalKind.Busy, message);
}

/// <summary>The kinds of <see cref="CamtrapRefusal"/>.</summary>
internal enum CamtrapRefusalKind
{
    NotFound,
    Empty,
    Invalid,
    Busy,
}
