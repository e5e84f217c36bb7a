using Ferry.Server.Donations;

namespace Ferry.Server.Api;

/// <summary>
/// Donation links. <c>/api/donation-links</c>: a company admin creates (the token is in the answer once), lists and
/// revokes links. <c>/api/link</c>: a donor with no account, the link's token in the <c>Ferry-Donation-Link</c> header,
/// reads the link's policy, rules and salt and sends a digest bundle in resumable chunks; every call there is rate-limited
/// per link (<see cref="DonationLinkRateLimit"/>).
/// </summary>
internal static class DonationLinkEndpoints
{
    /// <summary>The largest JSON body of a link route (a new link, a new upload: a few short fields), in bytes.</summary>
    public const long MaximumJsonBody = 16 * 1024;

    /// <summary>The largest body of a route that reads none (revoke, finish), in bytes.</summary>
    public const long MaximumEmptyBody = 1024;

    public static void MapDonationLinkEndpoints(this IEndpointRouteBuilder app)
    {
        var admin = app.MapGroup("/api/donation-links").WithTags("Donation links").RequireAuthorization(AuthorizationPolicies.CompanyAdmin);
        admin.MapPost("/", CreateAsync).WithBodyLimit(MaximumJsonBody).WithSummary("Creates a donation link (label, policy_version, expires_at, max_bytes, max_donations). 201 with the link's URL and token: shown this once, only its hash is kept.");
        admin.MapGet("/", ListAsync).WithSummary("The company's donation links: label, policy, expiry, limits, donations taken, revoked (never a token).");
        admin.MapPost("/{id:long}/revoke", RevokeAsync).WithBodyLimit(MaximumEmptyBody).WithSummary("Revokes a link at once: every later call with its token is a 410.");

        var donor = app.MapGroup("/api/link").WithTags("Donation links").AllowAnonymous().RequireRateLimiting(DonationLinkRateLimit.Policy);
        donor.MapGet("/", InfoAsync).WithSummary("The link as donors see it: study, policy (version, hash, text), rules (JSON) and their hash, the study's public salt, expiry and limits. 404 unknown, 410 revoked or expired, 429 past the link's rate.");
        donor.MapPost("/uploads", StartAsync).WithBodyLimit(MaximumJsonBody).WithSummary("Starts a resumable upload of a digest bundle: length, sha256 (optional), consent (the policy version). 201 with its id; 413 past max_bytes, 409 when the link has taken its donations.");
        donor.MapGet("/uploads/{id}", StatusAsync).WithSummary("An upload's offset (bytes received) and length: where to go on after a broken connection.");
        donor.MapPatch("/uploads/{id}", AppendAsync).WithBodyLimit(64L << 20)
            .WithSummary("Appends one chunk (application/offset+octet-stream, at most Ferry:DonationLinkChunkBytes) at the Upload-Offset header, which must be the bytes received so far (409 with the right offset otherwise).");
        donor.MapPost("/uploads/{id}/finish", FinishAsync).WithBodyLimit(MaximumEmptyBody).WithSummary("Checks the bundle (entries, SHA-256 of every part, rules, policy, consent, caps), re-keys its digests with the study's key, stores it in the study's bucket and records consent. 200 with the donor pseudonym; 422 for a bad bundle, 409 after a withdrawal.");
    }

    private static async Task<Results<Created<CreatedDonationLink>, ProblemHttpResult>> CreateAsync(NewDonationLink request, HttpContext http, Caller caller, FerryDbContext db, DonationLinks links, CancellationToken cancellationToken)
    {
        var (link, token, refusal) = await links.CreateAsync(db, caller, request, cancellationToken);
        if (refusal is not null)
        {
            return ApiProblems.From(refusal);
        }

        var url = DonationLinks.DonorUrl(http.Request, token!);
        return TypedResults.Created($"/api/donation-links/{link!.Id}", new CreatedDonationLink(DonationLinkResponse.From(link), url, token!));
    }

    private static async Task<Ok<List<DonationLinkResponse>>> ListAsync(Caller caller, FerryDbContext db, DonationLinks links, CancellationToken cancellationToken) =>
        TypedResults.Ok((await links.ListAsync(db, caller, cancellationToken)).Select(DonationLinkResponse.From).ToList());

    private static async Task<Results<Ok<DonationLinkResponse>, ProblemHttpResult>> RevokeAsync(long id, Caller caller, FerryDbContext db, DonationLinks links, CancellationToken cancellationToken) =>
        await links.RevokeAsync(db, caller, id, cancellationToken) is { } link ? TypedResults.Ok(DonationLinkResponse.From(link)) : ApiProblems.NotFound($"donation link {id}");

    private static async Task<Results<Ok<LinkInfo>, ProblemHttpResult>> InfoAsync(HttpContext http, FerryDbContext db, DonationLinkIntake intake, LinkTokenGuessLimit guesses, CancellationToken cancellationToken)
    {
        var (link, refusal) = await ResolveAsync(http, db, intake, guesses, cancellationToken);
        return link is null ? Problem(refusal!) : TypedResults.Ok(intake.Info(link));
    }

    private static async Task<Results<Created<LinkUploadResponse>, ProblemHttpResult>> StartAsync(NewLinkUpload request, HttpContext http, FerryDbContext db, DonationLinkIntake intake, LinkTokenGuessLimit guesses, FerryServerOptions options, CancellationToken cancellationToken)
    {
        var (link, refusal) = await ResolveAsync(http, db, intake, guesses, cancellationToken);
        if (link is null)
        {
            return Problem(refusal!);
        }

        var (upload, refused) = await intake.StartAsync(db, link, request.Length, request.Sha256, request.Consent, cancellationToken);
        return upload is null ? Problem(refused!) : TypedResults.Created($"/api/link/uploads/{upload.Id}", new LinkUploadResponse(upload.Id, 0, upload.Length, options.DonationLinkChunkBytes));
    }

    private static async Task<Results<Ok<LinkUploadResponse>, ProblemHttpResult>> StatusAsync(string id, HttpContext http, FerryDbContext db, DonationLinkIntake intake, LinkTokenGuessLimit guesses, FerryServerOptions options, CancellationToken cancellationToken)
    {
        var (_, upload, problem) = await ResolveUploadAsync(id, http, db, intake, guesses, cancellationToken);
        return upload is null ? problem! : TypedResults.Ok(new LinkUploadResponse(upload.Id, intake.Offset(upload), upload.Length, options.DonationLinkChunkBytes));
    }

    private static async Task<Results<Ok<LinkUploadResponse>, ProblemHttpResult>> AppendAsync(string id, HttpContext http, FerryDbContext db, DonationLinkIntake intake, LinkTokenGuessLimit guesses, FerryServerOptions options, CancellationToken cancellationToken)
    {
        var (_, upload, problem) = await ResolveUploadAsync(id, http, db, intake, guesses, cancellationToken);
        if (upload is null)
        {
            return problem!;
        }

        if (!long.TryParse(http.Request.Headers["Upload-Offset"].ToString(), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var offset))
        {
            return ApiProblems.BadRequest("send the Upload-Offset header: the bytes received so far (GET the upload to learn them)");
        }

        if (http.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } bodyLimit)
        {
            bodyLimit.MaxRequestBodySize = options.DonationLinkChunkBytes; // a chunked body without Content-Length stops here too
        }

        if (http.Request.ContentLength > options.DonationLinkChunkBytes)
        {
            return TypedResults.Problem($"a chunk may have at most {options.DonationLinkChunkBytes:N0} bytes (Ferry:DonationLinkChunkBytes)", statusCode: StatusCodes.Status413PayloadTooLarge, title: "Chunk too large");
        }

        var (received, refused) = await intake.AppendAsync(upload, offset, http.Request.Body, cancellationToken);
        http.Response.Headers["Upload-Offset"] = received.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return refused is null ? TypedResults.Ok(new LinkUploadResponse(upload.Id, received, upload.Length, options.DonationLinkChunkBytes)) : Problem(refused);
    }

    private static async Task<Results<Ok<LinkDonationResponse>, ProblemHttpResult>> FinishAsync(string id, HttpContext http, FerryDbContext db, DonationLinkIntake intake, LinkTokenGuessLimit guesses, CancellationToken cancellationToken)
    {
        var (link, upload, problem) = await ResolveUploadAsync(id, http, db, intake, guesses, cancellationToken);
        if (upload is null)
        {
            return problem!;
        }

        var (donation, refused) = await intake.FinishAsync(db, link!, upload, cancellationToken);
        if (refused?.Status == StatusCodes.Status503ServiceUnavailable)
        {
            http.Response.Headers.RetryAfter = "30"; // the upload is kept: the donor's machine sends the finish again
        }

        return donation is null ? Problem(refused!) : TypedResults.Ok(new LinkDonationResponse(donation.Donor, donation.Files, donation.Records, donation.Malformed, donation.Bytes, donation.Location!, donation.CreatedAt));
    }

    /// <summary>The link of the request's token; a missing or unknown token counts against its address (<see cref="LinkTokenGuessLimit"/>).</summary>
    private static async Task<(DonationLink? Link, LinkRefusal? Refusal)> ResolveAsync(HttpContext http, FerryDbContext db, DonationLinkIntake intake, LinkTokenGuessLimit guesses, CancellationToken cancellationToken)
    {
        var address = http.Connection.RemoteIpAddress?.ToString() ?? "";
        if (guesses.Refusal(address) is { } tooMany)
        {
            http.Response.Headers.RetryAfter = "60";
            return (null, tooMany);
        }

        var resolved = await intake.ResolveAsync(db, DonationLinkToken.From(http), cancellationToken);
        if (resolved.Refusal?.Status is StatusCodes.Status401Unauthorized or StatusCodes.Status404NotFound)
        {
            guesses.CountWrong(address);
        }

        return resolved;
    }

    /// <summary>The request's link and its upload <paramref name="id"/>, or the problem to answer: the link's refusal, or 404 for an upload the link does not have.</summary>
    private static async Task<(DonationLink? Link, DonationLinkUpload? Upload, ProblemHttpResult? Problem)> ResolveUploadAsync(string id, HttpContext http, FerryDbContext db, DonationLinkIntake intake, LinkTokenGuessLimit guesses, CancellationToken cancellationToken)
    {
        var (link, refusal) = await ResolveAsync(http, db, intake, guesses, cancellationToken);
        if (link is null)
        {
            return (null, null, Problem(refusal!));
        }

        return await intake.FindAsync(db, link, id, cancellationToken) is { } upload ? (link, upload, null) : (link, null, ApiProblems.NotFound($"upload {id}"));
    }

    private static ProblemHttpResult Problem(LinkRefusal refusal) => TypedResults.Problem(refusal.Message, statusCode: refusal.Status, title: refusal.Status switch
    {
        StatusCodes.Status404NotFound => "Unknown donation link",
        StatusCodes.Status410Gone => "Donation link closed",
        StatusCodes.Status413PayloadTooLarge => "Donation too large",
        StatusCodes.Status422UnprocessableEntity => "Bundle refused",
        StatusCodes.Status401Unauthorized => "No donation link",
        _ => "Donation refused",
    });
}

internal sealed record DonationLinkResponse(long Id, string Label, string PolicyVersion, DateTimeOffset ExpiresAt, long MaxBytes, int MaxDonations, int Donations, DateTimeOffset CreatedAt, DateTimeOffset? RevokedAt)
{
    public static DonationLinkResponse From(DonationLink l) => new(l.Id, l.Label, l.PolicyVersion, l.ExpiresAt, l.MaxBytes, l.MaxDonations, l.Donations, l.CreatedAt, l.RevokedAt);
}

/// <summary>A new link: its row, its URL and its token — this answer is the only place the token appears.</summary>
internal sealed record CreatedDonationLink(DonationLinkResponse Link, string Url, string Token);
