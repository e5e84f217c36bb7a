using Ferry.Server.Schedules;

namespace Ferry.Server.Api;

/// <summary>
/// <c>/api/schedules</c> (system administrator only): the server-wide schedules with their last and next fire times
/// and last run's outcome, and running one now. Schedules belong to no company.
/// </summary>
internal static class ScheduleEndpoints
{
    public static RouteGroupBuilder MapScheduleEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/schedules").WithTags("Schedules").RequireAuthorization(AuthorizationPolicies.SystemAdmin);
        group.MapGet("/", ListAsync).WithSummary("Every schedule: its cron expression or interval (UTC), misfire rule, previous and next fire time, and last run with its outcome (system administrator).");
        group.MapGet("/{name}/runs", RunsAsync).WithSummary("The schedule's recorded runs, newest first (the last 200): which process, the fire time it was for, by hand or not, outcome and message.");
        group.MapPost("/{name}/run", RunAsync).WithSummary("Runs the schedule now, once across all processes and never beside a run of itself; 202, the run shows in GET /api/schedules.");
        return group;
    }

    private static async Task<Ok<List<ScheduleStatus>>> ListAsync(ScheduleCatalog catalog, CancellationToken cancellationToken) =>
        TypedResults.Ok(await catalog.ListAsync(cancellationToken));

    private static async Task<Results<Ok<List<ScheduleRunStatus>>, ProblemHttpResult>> RunsAsync(string name, ScheduleCatalog catalog, CancellationToken cancellationToken) =>
        await catalog.RunsAsync(name, cancellationToken) is { } runs ? TypedResults.Ok(runs) : ApiProblems.NotFound($"schedule '{name}'");

    private static async Task<Results<Accepted, ProblemHttpResult>> RunAsync(string name, ScheduleCatalog catalog, CancellationToken cancellationToken) =>
        await catalog.RunNowAsync(name, cancellationToken)
            ? TypedResults.Accepted("/api/schedules")
            : ApiProblems.NotFound($"schedule '{name}' (one of {string.Join(", ", FerrySchedule.All.Select(s => s.Name))})");
}
