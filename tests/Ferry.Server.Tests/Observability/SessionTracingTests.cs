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

        // The listener hears every server in this process, and each test class's database numbers its sessions from 1: spans
        // of another class's session with the same id may be among these, so each assertion looks for this session's span.
        var mine = stopped.Where(a => a.GetTagItem(FerryActivities.SessionId) is long id && id == sessionId).ToList();

        Assert.Contains(mine, a => a.OperationName == "ferry.session.register");
        Assert.Contains(mine, a => a.OperationName == "ferry.session.verify" && Equals(a.GetTagItem(FerryActivities.Files), 1));
        Assert.Contains(mine, a => a.OperationName == "ferry.session.close" && Equals(a.GetTagItem(FerryActivities.Status), "completed"));
        Assert.All(mine, a => Assert.NotEqual(default, a.TraceId)); // each belongs to the request's trace
    }
}
