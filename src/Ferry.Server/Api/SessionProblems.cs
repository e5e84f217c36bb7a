using Ferry.Server.Sessions;

namespace Ferry.Server.Api;

/// <summary>How the API answers a refused session call (<see cref="SessionRefusal"/>).</summary>
internal static class SessionProblems
{
    public static ProblemHttpResult From(SessionRefusal refusal) => refusal.Kind switch
    {
        SessionRefusalKind.NotFound => ApiProblems.NotFound(refusal.Message),
        SessionRefusalKind.Finished => ApiProblems.Conflict(refusal.Message),
        SessionRefusalKind.Unsupported => ApiProblems.Unsupported(refusal.Message),
        SessionRefusalKind.TooMany => ApiProblems.TooManyRequests(refusal.Message),
        _ => ApiProblems.BadRequest(refusal.Message),
    };

    /// <summary>200 with the service's answer, or the problem its refusal maps to.</summary>
    public static async Task<Results<Ok<T>, ProblemHttpResult>> OkOrProblem<T>(Task<(T? Value, SessionRefusal? Refusal)> outcome)
        where T : class
    {
        var (value, refusal) = await outcome;
        return value is not null ? TypedResults.Ok(value) : From(refusal!);
    }
}
