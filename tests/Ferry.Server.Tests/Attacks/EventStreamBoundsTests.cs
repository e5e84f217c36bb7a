using System.Net;
using System.Text.Json.Nodes;

namespace Ferry.Server.Tests.Attacks;

/// <summary>Server-sent event streams: at most Ferry:EventStreamsPerUser open per user, and a stream ends when its session does.</summary>
public sealed class EventStreamBoundsTests(TwoStreamsSqliteFixture fixture) : IClassFixture<TwoStreamsSqliteFixture>
{
    [Fact]
    public async Task Events_ThirdStreamOfAUser_429UntilOneCloses()
    {
        var (tenant, sessionId) = await NewSessionAsync();
        var first = await OpenAsync(tenant.User, sessionId);
        using var second = await OpenAsync(tenant.User, sessionId);
        using var others = await OpenAsync(tenant.Admin, sessionId); // another user's streams do not count

        using var third = await tenant.User.GetAsync($"/api/sessions/{sessionId}/events", HttpCompletionOption.ResponseHeadersRead);

        Assert.Equal(HttpStatusCode.TooManyRequests, third.StatusCode);
        Assert.Contains("Ferry:EventStreamsPerUser", JsonNode.Parse(await third.Content.ReadAsStringAsync())!["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        first.Dispose();
        HttpResponseMessage? again = null;
        for (var attempt = 0; attempt < 200 && again?.StatusCode != HttpStatusCode.OK; attempt++)
        {
            again?.Dispose();
            await Task.Delay(50); // the server notices the closed stream at its next write
            again = await tenant.User.GetAsync($"/api/sessions/{sessionId}/events", HttpCompletionOption.ResponseHeadersRead);
        }

        Assert.Equal(HttpStatusCode.OK, again!.StatusCode);
        again.Dispose();
    }

    [Fact]
    public async Task Events_SessionFinished_EndEventAndTheStreamCloses()
    {
        var (tenant, sessionId) = await NewSessionAsync();
        using var stream = await OpenAsync(tenant.User, sessionId);
        using var reader = new StreamReader(await stream.Content.ReadAsStreamAsync());
        Assert.Equal("event: progress", await reader.ReadLineAsync());

        await ApiCalls.PostAsync(tenant.User, $"/api/sessions/{sessionId}/finish", new { });
        var events = await ReadToEndAsync(reader);

        Assert.Equal("end", events[^1]);
        Assert.All(events[..^1], e => Assert.Equal("progress", e));
    }

    private async Task<(Tenant Tenant, long SessionId)> NewSessionAsync()
    {
        var tenant = await fixture.NewTenantAsync();
        var (projectId, cycleId, _) = await fixture.NewProjectAsync(tenant);
        return (tenant, await SessionCalls.NewSessionAsync(tenant.User, projectId, cycleId));
    }

    internal static async Task<HttpResponseMessage> OpenAsync(HttpClient client, long sessionId)
    {
        var response = await client.GetAsync($"/api/sessions/{sessionId}/events", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return response;
    }

    /// <summary>The names of the events read until the server closes the stream.</summary>
    internal static async Task<List<string>> ReadToEndAsync(StreamReader reader)
    {
        var events = new List<string>();
        while (await reader.ReadLineAsync() is { } line)
        {
            if (line.StartsWith("event: ", StringComparison.Ordinal))
            {
                events.Add(line["event: ".Length..]);
            }
        }

        return events;
    }
}

/// <summary>A stream ends after Ferry:EventStreamLifetime (2 seconds here) with a 'reconnect' event, though its session is still active.</summary>
public sealed class EventStreamLifetimeTests(ShortStreamsSqliteFixture fixture) : IClassFixture<ShortStreamsSqliteFixture>
{
    [Fact]
    public async Task Events_LifetimeOver_ReconnectEventAndTheStreamCloses()
    {
        var tenant = await fixture.NewTenantAsync();
        var (projectId, cycleId, _) = await fixture.NewProjectAsync(tenant);
        var sessionId = await SessionCalls.NewSessionAsync(tenant.User, projectId, cycleId);
        using var stream = await EventStreamBoundsTests.OpenAsync(tenant.User, sessionId);
        using var reader = new StreamReader(await stream.Content.ReadAsStreamAsync());

        var events = await EventStreamBoundsTests.ReadToEndAsync(reader);

        Assert.Equal("reconnect", events[^1]);
        Assert.Contains("progress", events);
        Assert.Equal("active", (await ApiCalls.GetAsync(tenant.User, $"/api/sessions/{sessionId}"))["status"]!.GetValue<string>());
        using var next = await EventStreamBoundsTests.OpenAsync(tenant.User, sessionId); // the lease of the ended stream was given back
    }
}
