namespace Ferry.Server.Api;

internal sealed record HealthResponse(string Status, string Database);

/// <summary><c>/healthz</c>: 200 when the database answers, 503 otherwise. No authentication, no details beyond that.</summary>
internal static class HealthEndpoints
{
    public static IEndpointRouteBuilder MapHealthEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/healthz", CheckAsync).AllowAnonymous().WithTags("Health").WithSummary("Liveness and database reachability.");
        return app;
    }

    private static async Task<Results<Ok<HealthResponse>, JsonHttpResult<HealthResponse>>> CheckAsync(FerryDbContext db, CancellationToken cancellationToken)
    {
        var reachable = await db.Database.CanConnectAsync(cancellationToken);
        return reachable
            ? TypedResults.Ok(new HealthResponse("ok", "ok"))
            : TypedResults.Json(new HealthResponse("unavailable", "unreachable"), statusCode: StatusCodes.Status503ServiceUnavailable);
    }
}
