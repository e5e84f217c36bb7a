using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using Ferry.Server.Observability;
using static Ferry.Server.Tests.SessionCalls;

namespace Ferry.Server.Tests.Observability;

/// <summary>An upload session's register, verify and close steps are spans carrying the session id (seen by an in-process listener).</summary>
public sealed class SessionTracingTests(SqliteServerFixture fixture) : IClassFixture<SqliteServerFixture>
{
    [Fact]
    public async Task UploadSession_RegisterCompleteFinish_SpansWithTheSessionId()
    {
        var stopped = new ConcurrentQueue<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == FerryActivities.SourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = stopped.Enqueue,
        };
        ActivitySource.AddActivityListener(listener);
        var tenant = await fixture.NewTenantAsync();
        var (projectId, cycleId, _) = await fixture.NewProjectAsync(tenant);
        var sessionId = await NewSessionAsync(tenant.User, projectId, cycleId);
        await RegisterAsync(tenant.User, sessionId, new Dictionary<string, long> { ["t/a.wav"] = 4 });
        var etags = await UploadAsync(tenant.User, sessionId, new Dictionary<string, byte[]> { ["t/a.wav"] = Encoding.ASCII.GetBytes("abcd") });
        await CompleteAsync(tenant.User, sessionId, [new { path = "t/a.wav", etag = etags["t/a.wav"], md5 = (string?)null }]);
        await ApiCalls.PostAsync(tenant.User, $"/api/sessions/{sessionId}/finish", new { });

        var mine = stopped.Where(a => a.GetTagItem(FerryActivities.SessionId) is long id && id == sessionId).ToList();

        Assert.Equal(["ferry.session.close", "ferry.session.register", "ferry.session.verify"], mine.Select(a => a.OperationName).Distinct().Order(StringComparer.Ordinal));
        Assert.Equal(1, mine.First(a => a.OperationName == "ferry.session.verify").GetTagItem(FerryActivities.Files));
        Assert.Equal("completed", mine.First(a => a.OperationName == "ferry.session.close").GetTagItem(FerryActivities.Status));
        Assert.All(mine, a => Assert.NotEqual(default, a.TraceId)); // each belongs to the request's trace
    }
}
