using Microsoft.AspNetCore.Http;

namespace Ferry.Testing;

/// <summary>One request as a <see cref="FaultProxy"/> saw it: its kind and the credentials it carried (header or presigned query).</summary>
public sealed record SignedRequest(string Kind, string Method, string? AccessKeyId, string? SecurityToken, string? UserAgent)
{
    public static SignedRequest From(string kind, HttpRequest request)
    {
        string? key = null;
        var authorization = request.Headers.Authorization.ToString();
        var start = authorization.IndexOf("Credential=", StringComparison.Ordinal);
        if (start >= 0)
        {
            start += "Credential=".Length;
            key = authorization[start..authorization.IndexOf('/', start)];
        }
        else if (request.Query["X-Amz-Credential"].ToString() is { Length: > 0 } credential)
        {
            key = credential.Split('/')[0];
        }

        var token = request.Headers["X-Amz-Security-Token"].ToString();
        if (token.Length == 0)
        {
            token = request.Query["X-Amz-Security-Token"].ToString();
        }

        return new SignedRequest(kind, request.Method, key, token.Length == 0 ? null : token, request.Headers.UserAgent.ToString());
    }
}
