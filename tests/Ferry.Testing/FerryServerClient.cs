using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace Ferry.Testing;

/// <summary>Helpers for tests that run 'ferry serve' as a process: wait until it answers, sign in over HTTP.</summary>
public static class FerryServerClient
{
    /// <summary>
    /// Waits up to 60 s for <c>/healthz</c> (a start-up on a loaded 2-core machine can take more than 15 s; a healthy start
    /// returns at once); fails early, with the server's error output, when it exits.
    /// </summary>
    public static async Task WaitUntilHealthyAsync(string url, Process? server = null)
    {
        using var http = new HttpClient();
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (waited.Elapsed < TimeSpan.FromSeconds(60))
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

        // The caller's clean-up may never run when its set-up throws: leave no server behind.
        if (server is { HasExited: false })
        {
            server.Kill(entireProcessTree: true);
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

    /// <summary>
    /// As the system administrator (<paramref name="systemAdmin"/>), makes sure a storage location for
    /// <paramref name="endpoint"/> exists (credentials from the server's default chain) and grants
    /// <paramref name="bucket"/> there to <paramref name="companyId"/> (default: the administrator's own company).
    /// Returns the location's id. Projects are created on granted buckets only.
    /// </summary>
    public static async Task<long> GrantBucketAsync(HttpClient systemAdmin, string endpoint, string bucket, long? companyId = null, bool shared = false)
    {
        var company = companyId ?? (await systemAdmin.GetFromJsonAsync<JsonObject>("/api/auth/me"))!["company_id"]!.GetValue<long>();
        var locationId = await LocationAsync(systemAdmin, endpoint);
        var grant = await systemAdmin.PostAsJsonAsync($"/api/storage-locations/{locationId}/grants", new { company_id = company, bucket_pattern = bucket, shared });
        if (!grant.IsSuccessStatusCode && grant.StatusCode != System.Net.HttpStatusCode.Conflict)
        {
            throw new InvalidOperationException($"granting {bucket} answered {(int)grant.StatusCode}: {await grant.Content.ReadAsStringAsync()}");
        }

        return locationId;
    }

    /// <summary>The id of the storage location for <paramref name="endpoint"/>, created when missing.</summary>
    public static async Task<long> LocationAsync(HttpClient systemAdmin, string endpoint)
    {
        var authority = new Uri(endpoint).GetLeftPart(UriPartial.Authority);
        for (var attempt = 0; ; attempt++)
        {
            var locations = (await systemAdmin.GetFromJsonAsync<JsonArray>("/api/storage-locations"))!;
            if (locations.FirstOrDefault(l => string.Equals(l!["endpoint_url"]?.GetValue<string>(), authority, StringComparison.OrdinalIgnoreCase)) is { } found)
            {
                return found["id"]!.GetValue<long>();
            }

            var created = await systemAdmin.PostAsJsonAsync("/api/storage-locations", new { name = "test " + authority, endpoint_url = authority, region = "us-east-1", credential_source = "default" });
            if (created.IsSuccessStatusCode)
            {
                return (await created.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<long>();
            }

            if (created.StatusCode != System.Net.HttpStatusCode.Conflict || attempt > 0)
            {
                throw new InvalidOperationException($"creating the storage location {authority} answered {(int)created.StatusCode}: {await created.Content.ReadAsStringAsync()}");
            }
        }
    }
}
