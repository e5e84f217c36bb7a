using static Ferry.Server.Tests.SessionCalls;
using static Ferry.Server.Tests.Sessions.DuplicateSessionTests<Ferry.Server.Tests.SqliteServerFixture>;

namespace Ferry.Server.Tests.Attacks;

/// <summary>
/// Company A probes the content index for bytes only company B holds (a hash learnt elsewhere): registering and
/// completing with B's SHA-256, with skip_duplicates, in A's own project. The lookup is per project inside the caller's
/// company, so A learns nothing: no duplicate, no key of B's in any answer.
/// </summary>
public abstract class DuplicateLookupAttackTests<TFixture>(TFixture fixture) : IClassFixture<TFixture> where TFixture : ServerFixture
{
    [Fact]
    public async Task RegisterAndComplete_WithAnotherCompanysHash_RevealNoneOfItsKeys()
    {
        var a = await fixture.NewTenantAsync();
        var b = await fixture.NewTenantAsync();
        var (projectB, cycleB, _) = await fixture.NewProjectAsync(b, prefix: "secret-site-B");
        var (projectA, cycleA, _) = await fixture.NewProjectAsync(a, prefix: "A1");
        var secret = Bytes(6000, 11);
        await UploadVerifiedAsync(b.User, await NewSessionAsync(b.User, projectB, cycleB), new() { ["SN9/secret.WAV"] = secret });

        var session = await NewSessionAsync(a.User, projectA, cycleA);
        var registered = await RegisterHashedAsync(a.User, session, skip: true, new() { ["probe.WAV"] = secret });
        await UploadVerifiedAsync(a.User, session, new() { ["probe.WAV"] = secret }, register: false);
        var listed = await FilesAsync(a.Viewer, session);

        Assert.Equal("pending", registered["probe.WAV"]["status"]!.GetValue<string>());
        Assert.Null(registered["probe.WAV"]["duplicate_of"]);
        Assert.Null(listed["probe.WAV"]["duplicate_of"]);
        Assert.DoesNotContain("secret-site-B", registered["probe.WAV"].ToJsonString(), StringComparison.Ordinal);
        Assert.DoesNotContain("secret-site-B", listed["probe.WAV"].ToJsonString(), StringComparison.Ordinal);
        // And B's own lookup still finds its copy: the index works, it is only closed to A.
        var sessionB = await NewSessionAsync(b.User, projectB, cycleB);
        var own = await RegisterHashedAsync(b.User, sessionB, skip: true, new() { ["again/secret.WAV"] = secret });
        Assert.Equal("secret-site-B/SN9/secret.WAV", own["again/secret.WAV"]["duplicate_of"]!.GetValue<string>());
    }
}

public sealed class DuplicateLookupAttackTestsOnSqlite(SqliteServerFixture fixture) : DuplicateLookupAttackTests<SqliteServerFixture>(fixture);

public sealed class DuplicateLookupAttackTestsOnPostgres(PostgresServerFixture fixture) : DuplicateLookupAttackTests<PostgresServerFixture>(fixture);
