using Ferry.Core.Storage;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;

namespace Ferry.Server;

/// <summary>
/// Turns what escapes an endpoint into problem details: a body that is not valid JSON is a 400, a storage failure
/// (bucket missing, credentials refused, endpoint unreachable) a generic 502 with the detail in the log; anything else a
/// 500 without internals.
/// </summary>
internal sealed class ApiExceptionHandler(IProblemDetailsService problems, ILogger<ApiExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        var (status, title, detail) = exception switch
        {
            BadHttpRequestException { InnerException: Ferry.Client.Contracts.ListTooLongException tooLong } => (StatusCodes.Status400BadRequest, "Invalid request", tooLong.Message),
            BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge } bad => (bad.StatusCode, "Request too large", bad.Message),
            BadHttpRequestException bad => (bad.StatusCode, "Invalid request", bad.InnerException is System.Text.Json.JsonException json
                ? $"the request body is not valid JSON for this call: {json.Message.Split(" Path:", 2)[0]}"
                : bad.Message),
            // The storage service's own text (bucket names, endpoints, request ids) goes to the log, not to the client.
            StoreException => (StatusCodes.Status502BadGateway, "Storage error", "the storage service refused the request; the detail is in the server log"),
            _ => (StatusCodes.Status500InternalServerError, "Internal error", "the server failed to handle this request; the error is in its log"),
        };
        if (status >= 500)
        {
            logger.LogError(exception, "{Method} {Path} failed", httpContext.Request.Method, httpContext.Request.Path);
        }

        httpContext.Response.StatusCode = status;
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            Exception = exception,
            ProblemDetails = new ProblemDetails { Status = status, Title = title, Detail = detail },
        });
    }
}
