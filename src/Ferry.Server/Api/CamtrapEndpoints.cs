using Ferry.Server.Camtrap;

namespace Ferry.Server.Api;

/// <summary>
/// The request for a Camtrap DP package: cycle_id (null: every cycle), locations_csv (deploymentID or folder, latitude,
/// longitude, …), presign_hours (0: plain S3 URLs; 1–168: presigned GET URLs), utc_offset (+HH:MM for cameras whose files
/// do not say theirs).
/// </summary>
internal sealed record CamtrapExportRequest(long? CycleId = null, string? LocationsCsv = null, int? PresignHours = null, string? UtcOffset = null);

/// <summary>
/// <c>POST /api/projects/{id}/camtrap-dp</c>: the project's uploaded media as a Camtrap DP 1.0 package (a zip of
/// datapackage.json, deployments.csv, media.csv, observations.csv), built from the capture metadata recorded at upload.
/// Users and admins (the media rows carry URLs to the objects); another company's project is a 404.
/// </summary>
internal static class CamtrapEndpoints
{
    public static void MapCamtrapEndpoints(this IEndpointRouteBuilder app) =>
        app.MapPost("/api/projects/{id:long}/camtrap-dp", ExportAsync).RequireAuthorization(AuthorizationPolicies.Upload).WithTags("Camtrap DP")
            .WithBodyLimit(CamtrapExportOptions.MaxLocationsChars * 6L + RequestBodyLimits.Overhead)
            .WithSummary("The project's (or one cycle's) uploaded media as a Camtrap DP 1.0 package, a zip: one deployment per sensor folder and cycle, one media row per uploaded file with its S3 URL or a presigned GET URL, an empty observations table.");

    private static async Task<Results<FileStreamHttpResult, ProblemHttpResult>> ExportAsync(long id, CamtrapExportRequest request, Caller caller, CamtrapExportService camtrap, CancellationToken cancellationToken)
    {
        var (options, problem) = CamtrapExportOptions.Create(request.CycleId, request.LocationsCsv, request.PresignHours, request.UtcOffset);
        if (options is null)
        {
            return ApiProblems.BadRequest(problem!);
        }

        var (package, refusal) = await camtrap.ExportAsync(caller.CompanyId, id, caller.Username, options, cancellationToken);
        if (package is null)
        {
            return refusal!.Kind switch
            {
                CamtrapRefusalKind.NotFound => ApiProblems.NotFound(refusal.Message),
                CamtrapRefusalKind.Empty => ApiProblems.Conflict(refusal.Message),
                _ => ApiProblems.BadRequest(refusal.Message),
            };
        }

        return TypedResults.File(package.Zip, "application/zip", package.FileName);
    }
}
