using Ferry.Server.Camtrap;

namespace Ferry.Server.Api;

/// <summary>
/// <c>POST /api/projects/{id}/camtrap-dp</c>: the project's uploaded media as a Camtrap DP 1.0 package (a zip of
/// datapackage.json, deployments.csv, media.csv, observations.csv), built from the capture metadata recorded at upload.
/// Users and admins (the media rows carry URLs to the objects); another company's project is a 404.
/// </summary>
internal static class CamtrapEndpoints
{
    /// <summary>When the package's presigned media links expire (UTC, ISO 8601); absent for plain S3 URLs.</summary>
    public const string LinksExpireHeader = "Ferry-Media-Links-Expire";

    public static void MapCamtrapEndpoints(this IEndpointRouteBuilder app) =>
        app.MapPost("/api/projects/{id:long}/camtrap-dp", ExportAsync).RequireAuthorization(AuthorizationPolicies.Upload).WithTags("Camtrap DP")
            .WithBodyLimit(CamtrapExportOptions.MaxLocationsChars * 6L + RequestBodyLimits.Overhead)
            .WithSummary("The project's (or one cycle's) uploaded media as a Camtrap DP 1.0 package, a zip: one deployment per sensor folder and cycle, one media row per uploaded file with its S3 URL or a presigned GET URL, an empty observations table.");

    /// <summary>The lifetime of the media links is the least of presign_hours, the operator's ceiling and the caller's sign-in; the <c>Ferry-Media-Links-Expire</c> header and the package's description say when they expire.</summary>
    private static async Task<Results<FileStreamHttpResult, ProblemHttpResult>> ExportAsync(long id, CamtrapExportRequest request, Caller caller, CamtrapExportService camtrap, HttpContext http, CancellationToken cancellationToken)
    {
        var (options, problem) = CamtrapExportOptions.Create(request.CycleId, request.LocationsCsv, request.PresignHours, request.UtcOffset);
        if (options is null)
        {
            return ApiProblems.BadRequest(problem!);
        }

        var notAfter = http.Features.Get<Microsoft.AspNetCore.Authentication.IAuthenticateResultFeature>()?.AuthenticateResult?.Properties?.ExpiresUtc;
        var (package, refusal) = await camtrap.ExportAsync(caller.CompanyId, id, caller.Username, options, notAfter, cancellationToken);
        if (package is null)
        {
            return refusal!.Kind switch
            {
                CamtrapRefusalKind.NotFound => ApiProblems.NotFound(refusal.Message),
                CamtrapRefusalKind.Empty or CamtrapRefusalKind.Busy => ApiProblems.Conflict(refusal.Message),
                _ => ApiProblems.BadRequest(refusal.Message),
            };
        }

        if (package.LinksExpireAt is { } expires)
        {
            http.Response.Headers[LinksExpireHeader] = Ferry.Core.Timestamps.IsoSeconds(expires);
        }

        return TypedResults.File(package.Zip, "application/zip", package.FileName);
    }
}
