namespace Ferry.Server.Camtrap;

/// <summary>Why an export was not made: not found (404) or a request that cannot be exported (400), with one line for the user.</summary>
internal sealed record CamtrapRefusal(bool IsNotFound, string Message)
{
    public static CamtrapRefusal NotFound(string what) => new(true, what);

    public static CamtrapRefusal Invalid(string message) => new(false, message);
}
