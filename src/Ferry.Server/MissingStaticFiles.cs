namespace Ferry.Server;

/// <summary>
/// A request for a file that wwwroot does not hold (<c>/app/missing.js</c>, <c>/css/nope.css</c>, <c>/favicon.ico</c>)
/// answers a plain 404, before authentication: without this it matched no endpoint and fell to the fallback
/// authorization policy, which answered the API's 401 problem document.
/// </summary>
internal static class MissingStaticFiles
{
    /// <summary>Folders of wwwroot that hold only files; anything else requested with a file extension counts as a file too.</summary>
    private static readonly string[] StaticFolders = ["/app", "/css"];

    /// <summary>Place after <c>UseStaticFiles</c> (which serves what exists) and before <c>UseAuthentication</c>.</summary>
    public static IApplicationBuilder UseMissingStaticFilesAsNotFound(this IApplicationBuilder app) => app.Use((context, next) =>
    {
        var path = context.Request.Path;
        if (context.GetEndpoint() is null
            && (HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsHead(context.Request.Method))
            && !path.StartsWithSegments("/api")
            && (Path.HasExtension(path.Value) || StaticFolders.Any(folder => path.StartsWithSegments(folder))))
        {
            // A body of its own, so that the status-code page does not dress it up as an API problem document.
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            context.Response.ContentType = "text/plain; charset=utf-8";
            return context.Response.WriteAsync($"{path} not found\n", context.RequestAborted);
        }

        return next(context);
    });
}
