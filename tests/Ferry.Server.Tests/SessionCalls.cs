using System.Security.Cryptography;
using System.Text.Json.Nodes;

namespace Ferry.Server.Tests;

/// <summary>The upload-session calls tests make: start, register, upload with the presigned URLs, complete.</summary>
internal static class SessionCalls
{
    public static readonly HttpClient Plain = new();

    public static async Task<long> NewSessionAsync(HttpClient client, long projectId, long cycleId) =>
        (await ApiCalls.PostAsync(client, "/api/sessions", new { project_id = projectId, cycle_id = cycleId, local_directory = "/media/sd", client = "api" }))["id"]!.GetValue<long>();

    public static async Task<List<JsonNode>> RegisterAsync(HttpClient client, long sessionId, Dictionary<string, long> files)
    {
        var response = await ApiCalls.PostAsync(client, $"/api/sessions/{sessionId}/files", new { files = files.Select(f => new { path = f.Key, size = f.Value, last_modified = "2025-09-09T09:20:00Z" }) });
        return response["files"]!.AsArray().Select(f => f!).ToList();
    }

    public static async Task<Dictionary<string, string>> UploadAsync(HttpClient client, long sessionId, Dictionary<string, byte[]> files)
    {
        var presigned = await ApiCalls.PostAsync(client, $"/api/sessions/{sessionId}/presign", new { paths = files.Keys });
        var etags = new Dictionary<string, string>();
        foreach (var upload in presigned["uploads"]!.AsArray())
        {
            var path = upload!["path"]!.GetValue<string>();
            Assert.Equal("PUT", upload["method"]!.GetValue<string>());
            using var response = await Plain.PutAsync(upload["url"]!.GetValue<string>(), new ByteArrayContent(files[path]));
            Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
            etags[path] = response.Headers.ETag!.Tag;
        }

        return etags;
    }

    public static async Task<List<JsonNode>> CompleteAsync(HttpClient client, long sessionId, IEnumerable<object> files)
    {
        var response = await ApiCalls.PostAsync(client, $"/api/sessions/{sessionId}/complete", new { files });
        return response["files"]!.AsArray().Select(f => f!).ToList();
    }

    public static string Md5(byte[] content) => Convert.ToHexStringLower(MD5.HashData(content));

    public static byte[] Bytes(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }
}
