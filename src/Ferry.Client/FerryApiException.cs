using System.Net;

namespace Ferry.Client;

/// <summary>The Ferry server answered with an error (its problem detail in the message), or could not be reached (no status).</summary>
public sealed class FerryApiException(HttpStatusCode? status, string message, Exception? inner = null) : Exception(message, inner)
{
    public HttpStatusCode? Status { get; } = status;
}
