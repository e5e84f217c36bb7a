using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using Ferry.Client;
using Ferry.Client.Contracts;
using Ferry.Client.Sessions;
using Ferry.Core.Transfer;
using Ferry.Server.Observability;
using Ferry.Server.Sessions;
using Ferry.Testing;
using Microsoft.Extensions.DependencyInjection;

using static Ferry.Server.Tests.SessionCalls;

namespace Ferry.Server.Tests.Sessions;

/// <summary>
/// The job worker's session calls in process (<see cref="InProcessSessionApi"/>): the same services and checks as the
/// HTTP API, for the caller's company only, refusals with the status the API answers; and the CLI's session upload
/// (<see cref="SessionUpload"/>) running over it.
/// </summary>
public abstract class InProcessSessionApiTests<TFixture>(TFixture fixture) : IClassFixture<TFixture> where TFixture : ServerFixture
{
    [Fact]
    public async Task SessionAndRegister_AnotherCompanysSession_NotFoundAsOverHttp()
    {
        var (a, b) = (await fixture.NewTenantAsync(), await fixture.NewTenantAsync());
        var (projectB, cycleB, _) = await fixture.NewProjectAsync(b);
        var sessionB = await NewSessionAsync(b.User, projectB, cycleB);
        var sut = Api(a, userId: 1);

        var read = await Assert.ThrowsAsync<FerryApiException>(() => sut.SessionAsync(sessionB, CancellationToken.None));
        var register = await Assert.ThrowsAsync<FerryApiException>(() => sut.RegisterAsync(sessionB, [("x.wav", 1, DateTimeOffset.UnixEpoch, null)], CancellationToken.None));

        Assert.Equal(HttpStatusCode.NotFound, read.Status);
        Assert.Equal(HttpStatusCode.NotFound, register.Status);
        Assert.Equal($"session {sessionB} was not found", register.Message);
    }

    [Fact]
    public async Task Register_FinishedSessionOrBadPath_ConflictAndBadRequestAsOverHttp()
    {
        var tenant = await fixture.NewTenantAsync();
        var (projectId, cycleId, _) = await fixture.NewProjectAsync(tenant);
        var open = await NewSessionAsync(tenant.User, projectId, cycleId);
        var finished = await NewSessionAsync(tenant.User, projectId, cycleId);
        await ApiCalls.PostAsync(tenant.User, $"/api/sessions/{finished}/finish", new { });
        var sut = Api(tenant, userId: 1);

        var badPath = await Assert.ThrowsAsync<FerryApiException>(() => sut.RegisterAsync(open, [("../escape.wav", 1, DateTimeOffset.UnixEpoch, null)], CancellationToken.None));
        var closed = await Assert.ThrowsAsync<FerryApiException>(() => sut.RegisterAsync(finished, [("a.wav", 1, DateTimeOffset.UnixEpoch, null)], CancellationToken.None));

        Assert.Equal(HttpStatusCode.BadRequest, badPath.Status);
        Assert.Equal(HttpStatusCode.Conflict, closed.Status);
    }

    [Fact]
    public async Task SessionUpload_OverTheInProcessApi_EveryFileVerifiedInTheSession_FromItsOwnPutAnswers()
    {
        var tenant = await fixture.NewTenantAsync();
        var (projectId, cycleId, bucket) = await fixture.NewProjectAsync(tenant, prefix: "C3");
        var session = await NewSessionAsync(tenant.User, projectId, cycleId);
        using var folder = new TempDirectory();
        var files = new Dictionary<string, byte[]> { ["SN1/a.wav"] = Bytes(4000, 1), ["SN1/b.wav"] = Bytes(10, 2), ["c.jpg"] = [] };
        foreach (var (path, bytes) in files)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(folder.Path, path))!);
            File.WriteAllBytes(Path.Combine(folder.Path, path), bytes);
        }

        var stopped = new ConcurrentQueue<Activity>();
        using var listener = ListenToSpans(stopped);
        using var trace = TestSpans.StartActivity("test")!;
        using var upload = await SessionUpload.ResumeAsync(Api(tenant, userId: 1), session, folder.Path, new ScanOptions(),
            new SessionUploadOptions { S3 = fixture.Factory.Services.GetRequiredService<ProjectStores>().PresignedRequests }, CancellationToken.None);
        var summary = await new UploadEngine(null).RunAsync(new UploadRequest(folder.Path, upload.Store, upload.Prefix), new UploadOptions(), new TransferProgress(), null, CancellationToken.None);
        var finished = await upload.FinishAsync(CancellationToken.None);

        Assert.Equal(3, upload.Pending.Count);
        Assert.Equal(3, summary.Counts.FilesTransferred);
        Assert.Equal("completed", finished.Status);
        Assert.Equal(3, finished.UploadedFiles);
        foreach (var (path, bytes) in files)
        {
            Assert.Equal(bytes, await fixture.S3.GetObjectAsync(bucket, "C3/" + path));
        }

        // Every file went in one PUT with Content-MD5, so each verdict came from S3's answer to it, none from a lookup.
        var verifications = stopped.Where(a => a.OperationName == "ferry.session.verify" && a.TraceId == trace.TraceId).ToList();
        Assert.Equal(3, verifications.Sum(a => (int)a.GetTagItem("ferry.verify.witnessed")!));
        Assert.Equal(0, verifications.Sum(a => (int)a.GetTagItem("ferry.verify.listed")! + (int)a.GetTagItem("ferry.verify.headed")!));
    }

    [Fact]
    public async Task CompleteWitnessed_PutAnswerIsTheSentMd5_UploadedWithoutLookingInS3()
    {
        var tenant = await fixture.NewTenantAsync();
        var (projectId, cycleId, bucket) = await fixture.NewProjectAsync(tenant, prefix: "C4");
        var session = await NewSessionAsync(tenant.User, projectId, cycleId);
        var sut = Api(tenant, userId: 1);
        var bytes = Bytes(300, 7);
        var md5 = Md5(bytes);
        await sut.RegisterAsync(session, [("a.wav", 300, DateTimeOffset.UnixEpoch, null), ("b.wav", 300, DateTimeOffset.UnixEpoch, null)], CancellationToken.None);

        // No object is in the bucket: only the witnessed report (the server's own PUT answer) can be uploaded.
        var witnessed = await sut.CompleteWitnessedAsync(session, [(new CompletedFile("a.wav", $"\"{md5}\"", md5), 300)], CancellationToken.None);
        var reported = await sut.CompleteAsync(session, [new CompletedFile("b.wav", md5, md5)], CancellationToken.None);

        Assert.Equal(("uploaded", md5), (witnessed[0].Status, witnessed[0].Etag));
        Assert.Equal(("failed", "the object is not in the bucket"), (reported[0].Status, reported[0].Error));
        Assert.Null(await fixture.S3.GetObjectAsync(bucket, "C4/a.wav"));
    }

    [Fact]
    public async Task CompleteWitnessed_MixedBatch_WhatTheAnswerDoesNotProveIsCheckedInS3InOrder_AndTheSpanCountsBoth()
    {
        var tenant = await fixture.NewTenantAsync();
        var (projectId, cycleId, _) = await fixture.NewProjectAsync(tenant, prefix: "C5");
        var session = await NewSessionAsync(tenant.User, projectId, cycleId);
        var sut = Api(tenant, userId: 1);
        var (present, absent) = (Bytes(300, 8), Bytes(300, 9));
        await sut.RegisterAsync(session, [("witnessed.wav", 300, DateTimeOffset.UnixEpoch, null), ("in-s3.wav", 300, DateTimeOffset.UnixEpoch, null),
            ("multipart.wav", 300, DateTimeOffset.UnixEpoch, null), ("other-etag.wav", 300, DateTimeOffset.UnixEpoch, null), ("grew.wav", 300, DateTimeOffset.UnixEpoch, null)], CancellationToken.None);
        await UploadAsync(tenant.User, session, new() { ["in-s3.wav"] = present });
        var stopped = new ConcurrentQueue<Activity>();
        using var listener = ListenToSpans(stopped);
        using var trace = TestSpans.StartActivity("test")!;

        var verdicts = await sut.CompleteWitnessedAsync(session, [
            (new CompletedFile("witnessed.wav", Md5(absent), Md5(absent)), 300),
            (new CompletedFile("in-s3.wav", Md5(present), Md5(present)), null), // no PUT answer to take: looked up, found
            (new CompletedFile("multipart.wav", Md5(absent) + "-2"), 300),
            (new CompletedFile("other-etag.wav", Md5(present), Md5(absent)), 300),
            (new CompletedFile("grew.wav", Md5(absent), Md5(absent)), 301),
        ], CancellationToken.None);

        // Only the first and last are witnessed (the last sent another size than the file registered); the three
        // between prove nothing by their answers and are looked up in S3, where only in-s3.wav is.
        Assert.Equal([("witnessed.wav", "uploaded", null), ("in-s3.wav", "uploaded", null), ("multipart.wav", "failed", "the object is not in the bucket"),
            ("other-etag.wav", "failed", "the object is not in the bucket"), ("grew.wav", "failed", "the object has 301 bytes but the file has 300")],
            verdicts.Select(v => (v.Path, v.Status, v.Error)));
        // The span says how each was proven.
        var verification = Assert.Single(stopped, a => a.OperationName == "ferry.session.verify" && a.TraceId == trace.TraceId);
        Assert.Equal(2, verification.GetTagItem("ferry.verify.witnessed"));
        Assert.Equal(3, (int)verification.GetTagItem("ferry.verify.listed")! + (int)verification.GetTagItem("ferry.verify.headed")!);
    }

    [Fact]
    public async Task CompleteWitnessed_OverHttp_EveryObjectCheckedInS3()
    {
        var tenant = await fixture.NewTenantAsync();
        var (projectId, cycleId, _) = await fixture.NewProjectAsync(tenant, prefix: "C6");
        var session = await NewSessionAsync(tenant.User, projectId, cycleId);
        await RegisterAsync(tenant.User, session, new() { ["a.wav"] = 300 });
        using var client = new FerryApiClient(tenant.User);
        ISessionApi overHttp = client;
        var md5 = Md5(Bytes(300, 10));

        var verdicts = await overHttp.CompleteWitnessedAsync(session, [(new CompletedFile("a.wav", md5, md5), 300)], CancellationToken.None);

        Assert.Equal(("failed", "the object is not in the bucket"), (verdicts[0].Status, verdicts[0].Error));
    }

    /// <summary>A test's own span: the server's spans under it carry its trace id (every server in this process is heard).</summary>
    private static readonly ActivitySource TestSpans = new("Ferry.Server.Tests.InProcessSessionApi");

    /// <summary>Collects the server's spans and the test's own until disposed.</summary>
    private static ActivityListener ListenToSpans(ConcurrentQueue<Activity> stopped)
    {
        // Read before the listener exists: a source first made while a listener is being added is not heard by it.
        var own = TestSpans;
        var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == FerryActivities.SourceName || source == own,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = stopped.Enqueue,
        };
        ActivitySource.AddActivityListener(listener);
        return listener;
    }

    private InProcessSessionApi Api(Tenant tenant, long userId) =>
        new(fixture.Factory.Services.GetRequiredService<IServiceScopeFactory>(), new Ferry.Server.Auth.Caller(userId, "", tenant.CompanyId, Ferry.Server.Data.Roles.User, false),
            fixture.Factory.Services.GetRequiredService<Microsoft.Extensions.Logging.ILogger<InProcessSessionApi>>());
}

public sealed class InProcessSessionApiTestsOnSqlite(SqliteServerFixture fixture) : InProcessSessionApiTests<SqliteServerFixture>(fixture);

public sealed class InProcessSessionApiTestsOnPostgres(PostgresServerFixture fixture) : InProcessSessionApiTests<PostgresServerFixture>(fixture);
