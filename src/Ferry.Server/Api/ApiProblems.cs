namespace Ferry.Server.Api;

/// <summary>The API's error answers, all RFC 9457 problem details with a sentence that names the problem and the fix.</summary>
internal static class ApiProblems
{
    public static ProblemHttpResult BadRequest(string detail) => TypedResults.Problem(detail, statusCode: StatusCodes.Status400BadRequest, title: "Invalid request");

    /// <summary>Not found, or not the caller's to see: the two are never told apart.</summary>
    public static ProblemHttpResult NotFound(string what) => TypedResults.Problem($"{what} was not found", statusCode: StatusCodes.Status404NotFound, title: "Not found");

    public static ProblemHttpResult Forbidden(string detail) => TypedResults.Problem(detail, statusCode: StatusCodes.Status403Forbidden, title: "Forbidden");

    public static ProblemHttpResult Conflict(string detail) => TypedResults.Problem(detail, statusCode: StatusCodes.Status409Conflict, title: "Conflict");

    public static ProblemHttpResult Unauthorized(string detail) => TypedResults.Problem(detail, statusCode: StatusCodes.Status401Unauthorized, title: "Unauthorized");

    public static ProblemHttpResult TooManyRequests(string detail) => TypedResults.Problem(detail, statusCode: StatusCodes.Status429TooManyRequests, title: "Too many requests");

    /// <summary>400 for an invalid request, 403 for a forbidden one, 409 for a conflict.</summary>
    public static ProblemHttpResult From(Tenancy.Refusal refusal) =>
        refusal.IsForbidden ? Forbidden(refusal.Message) : refusal.IsConflict ? Conflict(refusal.Message) : BadRequest(refusal.Message);

    public static ProblemHttpResult Unsupported(string detail) => TypedResults.Problem(detail, statusCode: StatusCodes.Status501NotImplemented, title: "Not supported by the storage server");
}
