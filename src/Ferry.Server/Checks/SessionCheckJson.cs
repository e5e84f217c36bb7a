using System.Text.Json;

namespace Ferry.Server.Checks;

/// <summary>How a session's check results are stored (upload_sessions.check_results) and read back for its page: snake_case JSON.</summary>
internal static class SessionCheckJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web) { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };
}
