using Ferry.Server.Sessions;

namespace Ferry.Server.Api;

/// <summary>
/// Multipart uploads of a session's large files, in the steps Uppy's AWS S3 plugin takes: create, sign parts, list
/// parts, complete, abort. The server starts and completes the upload with its own credentials; only upload ids it
/// started for this session can be signed or completed. After completing, report the file with /complete as usual.
/// </summary>
internal static class MultipartEndpoints
{
    public const int MaximumPartsPerSigning = ApiLimits.MaximumPartsPerSigning;
    public const int MaximumPartsPerCompletion = ApiLimits.MaximumPartsPerCompletion;

    public static RouteGroupBuilder MapMultipartEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/sessions/{id:long}/multipart").WithTags("Multipart uploads").RequireAuthorization(AuthorizationPolicies.Upload);
        group.MapPost("/", CreateAsync).WithSummary("Starts a multipart upload for a registered file; sha256 (optional) is stored as the object's x-amz-meta-sha256.");
        group.MapPost("/{uploadId}/parts", SignPartsAsync).WithBodyLimit(RequestBodyLimits.ForList(MaximumPartsPerSigning, 16)).WithSummary("Presigned PUT URLs for part numbers 1–10,000 (up to 1,000 per call).");
        group.MapGet("/{uploadId}", ListPartsAsync).WithSummary("The parts S3 holds (501 where the storage server cannot list parts).");
        group.MapPost("/{uploadId}/complete", CompleteAsync).WithBodyLimit(RequestBodyLimits.ForList(MaximumPartsPerCompletion, 256)).WithSummary("Joins the parts into the object.");
        group.MapDelete("/{uploadId}", AbortAsync).WithSummary("Abandons the upload and its parts.");
        return group;
    }

    private static async Task<Results<Ok<MultipartResponse>, ProblemHttpResult>> CreateAsync(long id, CreateMultipartRequest request, Caller caller, SessionMultipartService multipart, CancellationToken cancellationToken) =>
        await SessionProblems.OkOrProblem(multipart.CreateAsync(caller, id, request, cancellationToken));

    private static async Task<Results<Ok<SignPartsResponse>, ProblemHttpResult>> SignPartsAsync(long id, string uploadId, SignPartsRequest request, Caller caller, SessionMultipartService multipart, CancellationToken cancellationToken) =>
        await SessionProblems.OkOrProblem(multipart.SignPartsAsync(caller, id, uploadId, request, cancellationToken));

    private static async Task<Results<Ok<ListPartsResponse>, ProblemHttpResult>> ListPartsAsync(long id, string uploadId, Caller caller, SessionMultipartService multipart, CancellationToken cancellationToken) =>
        await SessionProblems.OkOrProblem(multipart.ListPartsAsync(caller, id, uploadId, cancellationToken));

    private static async Task<Results<Ok<CompleteMultipartResponse>, ProblemHttpResult>> CompleteAsync(long id, string uploadId, CompleteMultipartRequest request, Caller caller, SessionMultipartService multipart, CancellationToken cancellationToken) =>
        await SessionProblems.OkOrProblem(multipart.CompleteAsync(caller, id, uploadId, request, cancellationToken));

    private static async Task<Results<NoContent, ProblemHttpResult>> AbortAsync(long id, string uploadId, Caller caller, SessionMultipartService multipart, CancellationToken cancellationToken) =>
        await multipart.AbortAsync(caller, id, uploadId, cancellationToken) is { } refusal ? SessionProblems.From(refusal) : TypedResults.NoContent();
}
