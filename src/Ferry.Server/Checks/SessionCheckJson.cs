using System.Text.Encodings.Web;
using System.Text.Json;

namespace Ferry.Server.Checks;

/// <summary>
/// How a session's check results are stored (session_check_results.results) and read back for its page: snake_case JSON
/// with relaxed escaping, so '&lt;' and non-ASCII text take one character, not six. For storage only: the page
/// HTML-encodes what it shows, and this JSON is never written into HTML or a script.
/// </summary>
internal static class SessionCheckJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };
}
