using System.Net;
using Ferry.Client;
using Ferry.Client.Sessions;
using Ferry.Core.Transfer;
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
    public async Task SessionUpload_OverTheInProcessApi_EveryFileVerifiedInTheSession()
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
    }

    private InProcessSessionApi Api(Tenant tenant, long userId) =>
        new(fixture.Factory.Services.GetRequiredService<IServiceScopeFactory>(), new Ferry.Server.Auth.Caller(userId, "", tenant.CompanyId, Ferry.Server.Data.Roles.User, false));
}

public sealed class InProcessSessionApiTestsOnSqlite(SqliteServerFixture fixture) : InProcessSessionApiTests<SqliteServerFixture>(fixture);

public sealed class InProcessSessionApiTestsOnPostgres(PostgresServerFixture fixture) : InProcessSessionApiTests<PostgresServerFixture>(fixture);
