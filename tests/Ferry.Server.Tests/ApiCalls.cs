using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace Ferry.Server.Tests;

/// <summary>JSON calls for tests: they fail with the response body when the status is not the expected one.</summary>
public static class ApiCalls
{
    public static async Task<JsonObject> PostAsync(HttpClient client, string path, object body, HttpStatusCode? expected = null)
    {
        var response = await client.PostAsJsonAsync(path, body);
        return await ReadAsync(response, expected);
    }

    /// <summary>Any method with a JSON body (PATCH, DELETE …).</summary>
    public static async Task<JsonObject> SendAsync(HttpClient client, HttpMethod method, string path, object? body = null, HttpStatusCode? expected = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }

        return await ReadAsync(await client.SendAsync(request), expected);
    }

    public static async Task<JsonObject> GetAsync(HttpClient client, string path, HttpStatusCode? expected = null) =>
        await ReadAsync(await client.GetAsync(path), expected);

    public static async Task<JsonObject> ReadAsync(HttpResponseMessage response, HttpStatusCode? expected)
    {
        var text = await response.Content.ReadAsStringAsync();
        if (expected is { } status ? response.StatusCode != status : !response.IsSuccessStatusCode)
        {
            throw new Xunit.Sdk.XunitException($"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri?.PathAndQuery} answered {(int)response.StatusCode}: {text}");
        }

        return text.Length == 0 ? [] : JsonNode.Parse(text) is JsonObject obj ? obj : new JsonObject { ["items"] = JsonNode.Parse(text) };
    }

    public static async Task<HttpStatusCode> StatusAsync(HttpClient client, HttpMethod method, string path, object? body = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }

        using var response = await client.SendAsync(request);
        return response.StatusCode;
    }
}
