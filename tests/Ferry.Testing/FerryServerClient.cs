using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace Ferry.Testing;

/// <summary>Helpers for tests that run 'ferry serve' as a process: wait until it answers, sign in over HTTP.</summary>
public static class FerryServerClient
{
    /// <summary>Waits up to 60 s (a loaded machine starts slowly) for <c>/healthz</c>; fails early, with the server's error output, when it exits.</summary>
    public static async Task WaitUntilHealthyAsync(string url, Process? server = null)
    {
        using var http = new HttpClient();
        for (var attempt = 0; attempt < 600; attempt++)
        {
            if (server is { HasExited: true })
            {
                var said = ProcessOutput.Of(server)?.Tail ?? await server.StandardError.ReadToEndAsync();
                throw new InvalidOperationException($"ferry serve exited: {said}");
            }

            try
            {
                if ((await http.GetAsync(url + "/healthz")).IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }

            await Task.Delay(100);
        }

        throw new InvalidOperationException($"{url}/healthz did not answer within 60 s");
    }

    /// <summary>An HTTP client for <paramref name="url"/> carrying a bearer token of <paramref name="username"/>.</summary>
    public static async Task<HttpClient> SignInAsync(string url, string username, string password)
    {
        var http = new HttpClient { BaseAddress = new Uri(url) };
        var login = await http.PostAsJsonAsync("/api/auth/login", new { username, password });
        login.EnsureSuccessStatusCode();
        var token = (await login.Content.ReadFromJsonAsync<JsonObject>())!["access_token"]!.GetValue<string>();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return http;
    }
}
