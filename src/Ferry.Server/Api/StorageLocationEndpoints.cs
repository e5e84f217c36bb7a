using Ferry.Server.Storage;

namespace Ferry.Server.Api;

/// <summary>
/// <c>/api/storage-locations</c>: where projects may store objects, and which company may use which buckets there
/// (system administrator only). <c>/api/storage-grants</c>: the caller's company's grants (any signed-in user).
/// No answer ever contains a secret access key: only <c>has_secret</c>.
/// </summary>
internal static class StorageLocationEndpoints
{
    public static RouteGroupBuilder MapStorageLocationEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/storage-grants", GrantsOfCallerAsync).WithTags("Storage")
            .WithSummary("The storage locations and bucket patterns granted to the caller's company (no credentials).");
        var group = app.MapGroup("/api/storage-locations").WithTags("Storage").RequireAuthorization(AuthorizationPolicies.SystemAdmin);
        group.MapGet("/", ListAsync).WithSummary("Every storage location with its grants (system administrator).");
        group.MapPost("/", CreateAsync).WithSummary("Creates a storage location (system administrator). The secret access key is stored encrypted and never returned.");
        group.MapGet("/{id:long}", GetAsync).WithSummary("One storage location with its grants.");
        group.MapPut("/{id:long}", UpdateAsync).WithSummary("Changes a storage location; its projects follow. Leave secret_access_key out to keep the stored one.");
        group.MapDelete("/{id:long}", DeleteAsync).WithSummary("Deletes a storage location no project uses.");
        group.MapPost("/{id:long}/test", TestAsync).WithSummary("Lists the named bucket and writes, reads back and deletes a small probe object; the answer in words.");
        group.MapPost("/{id:long}/grants", GrantAsync).WithSummary("Lets a company use buckets matching a pattern (a bucket name or prefix-*) at this location; shared allows two companies on one bucket.");
        group.MapPut("/{id:long}/grants/{grantId:long}", SetSharedAsync).WithSummary("Marks a grant shared (two companies may use the bucket when both grants are shared) or exclusive.");
        group.MapDelete("/{id:long}/grants/{grantId:long}", RevokeAsync).WithSummary("Removes a grant no project of the company relies on.");
        return group;
    }

    private static async Task<Ok<List<CompanyGrantResponse>>> GrantsOfCallerAsync(Caller caller, StorageLocationCatalog catalog, CancellationToken cancellationToken) =>
        TypedResults.Ok(await catalog.GrantsOfAsync(caller.CompanyId, cancellationToken));

    private static async Task<Ok<List<StorageLocationResponse>>> ListAsync(StorageLocationCatalog catalog, CancellationToken cancellationToken) =>
        TypedResults.Ok(await catalog.ListAsync(cancellationToken));

    private static async Task<Results<Ok<StorageLocationResponse>, ProblemHttpResult>> GetAsync(long id, StorageLocationCatalog catalog, CancellationToken cancellationToken) =>
        await catalog.GetAsync(id, cancellationToken) is { } location ? TypedResults.Ok(location) : ApiProblems.NotFound($"storage location {id}");

    private static async Task<Results<Created<StorageLocationResponse>, ProblemHttpResult>> CreateAsync(StorageLocationRequest request, StorageLocationCatalog catalog, CancellationToken cancellationToken)
    {
        var (location, refusal) = await catalog.CreateAsync(request, cancellationToken);
        return location is null
            ? ApiProblems.From(refusal!)
            : TypedResults.Created($"/api/storage-locations/{location.Id}", StorageLocationResponse.From(location, []));
    }

    private static async Task<Results<Ok<StorageLocationResponse>, ProblemHttpResult>> UpdateAsync(long id, StorageLocationRequest request, StorageLocationCatalog catalog, CancellationToken cancellationToken)
    {
        if (await catalog.FindAsync(id, cancellationToken) is not { } location)
        {
            return ApiProblems.NotFound($"storage location {id}");
        }

        return await catalog.UpdateAsync(location, request, cancellationToken) is { } refusal
            ? ApiProblems.From(refusal)
            : TypedResults.Ok((await catalog.GetAsync(id, cancellationToken))!);
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(long id, StorageLocationCatalog catalog, CancellationToken cancellationToken)
    {
        if (await catalog.FindAsync(id, cancellationToken) is not { } location)
        {
            return ApiProblems.NotFound($"storage location {id}");
        }

        return await catalog.DeleteAsync(location, cancellationToken) is { } refusal ? ApiProblems.From(refusal) : TypedResults.NoContent();
    }

    private static async Task<Results<Ok<StorageTestResponse>, ProblemHttpResult>> TestAsync(long id, StorageTestRequest request, StorageLocationCatalog catalog, CancellationToken cancellationToken)
    {
        if (await catalog.FindAsync(id, cancellationToken) is not { } location)
        {
            return ApiProblems.NotFound($"storage location {id}");
        }

        return TypedResults.Ok(await catalog.TestAsync(location, request.Bucket, cancellationToken));
    }

    private static async Task<Results<Created<StorageGrantResponse>, ProblemHttpResult>> GrantAsync(long id, StorageGrantRequest request, StorageLocationCatalog catalog, CancellationToken cancellationToken)
    {
        if (await catalog.FindAsync(id, cancellationToken) is not { } location)
        {
            return ApiProblems.NotFound($"storage location {id}");
        }

        var (grant, refusal) = await catalog.GrantAsync(location, request, cancellationToken);
        return grant is null
            ? ApiProblems.From(refusal!)
            : TypedResults.Created($"/api/storage-locations/{id}/grants/{grant.Id}", StorageGrantResponse.From(grant));
    }

    private static async Task<Results<Ok<StorageGrantResponse>, ProblemHttpResult>> SetSharedAsync(long id, long grantId, StorageGrantRequest request, StorageLocationCatalog catalog, CancellationToken cancellationToken)
    {
        if (request.Shared is not { } shared)
        {
            return ApiProblems.BadRequest("give shared: true or false");
        }

        return await catalog.FindAsync(id, cancellationToken) is { } location && await catalog.SetSharedAsync(location, grantId, shared, cancellationToken) is { } grant
            ? TypedResults.Ok(StorageGrantResponse.From(grant))
            : ApiProblems.NotFound($"grant {grantId} of storage location {id}");
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> RevokeAsync(long id, long grantId, StorageLocationCatalog catalog, CancellationToken cancellationToken)
    {
        if (await catalog.FindAsync(id, cancellationToken) is not { } location)
        {
            return ApiProblems.NotFound($"storage location {id}");
        }

        return await catalog.RevokeAsync(location, grantId, cancellationToken) is { } refusal ? ApiProblems.From(refusal) : TypedResults.NoContent();
    }
}
