using System.IO.Compression;
using System.Net;
using System.Net.Http.Json;
using Ferry.Server.Api;
using CamtrapExportGate = Ferry.Server.Camtrap.CamtrapExportGate;
using Ferry.Testing;
using Ferry.Testing.Camtrap;
using Microsoft.Extensions.DependencyInjection;

using static Ferry.Server.Tests.SessionCalls;
using static Ferry.Server.Tests.Sessions.DuplicateSessionTests<Ferry.Server.Tests.SqliteServerFixture>;

namespace Ferry.Server.Tests.Attacks;

/// <summary>
/// A Camtrap DP package is bounded: its presigned links live no longer than the operator allows and the caller's sign-in
/// lasts, it has one media row per stored object (a skipped duplicate was never stored under its own key) and at most
/// Ferry:CamtrapMaximumMedia rows, and a company makes one at a time. Here: 2-hour sign-ins, 1-hour presigned URLs,
/// Camtrap links allowed up to 7 days, 3 media rows at most.
/// </summary>
public abstract class CamtrapExportBoundsTests<TFixture>(TFixture fixture) : IClassFixture<TFixture>, IDisposable where TFixture : ServerFixture
{
    private readonly TempDirectory _temp = new("camtrap-bounds");

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Export_DayAskedWithTwoHourSignIn_LinksEndWithTheSignInAndThePackageSaysWhen()
    {
        var tenant = await fixture.NewTenantAsync();
        var (projectId, cycleId, _) = await fixture.NewProjectAsync(tenant);
        var files = new Dictionary<string, byte[]> { ["SN1/a.WAV"] = Bytes(3000, 1) };
        await UploadVerifiedAsync(tenant.User, await NewSessionAsync(tenant.User, projectId, cycleId), files);
        var signInEnds = DateTimeOffset.UtcNow.AddHours(2);

        var (package, expiresHeader) = await ExportAsync(tenant.User, projectId, 24);

        var row = Assert.Single(package.Media);
        var expires = int.Parse(row["filePath"]!.Split("X-Amz-Expires=")[1].Split('&')[0], System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(expires, 3601, 7200); // past Ferry:PresignLifetime (the operator's Camtrap setting allows it), within the sign-in
        var expiresAt = DateTimeOffset.Parse(expiresHeader!, System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(expiresAt <= signInEnds.AddSeconds(1), $"links expire {expiresAt:O}, after the sign-in ends {signInEnds:O}");
        Assert.Contains($"until {expiresHeader}", package.Descriptor["description"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(files["SN1/a.WAV"], await Plain.GetByteArrayAsync(row["filePath"]!));
    }

    [Fact]
    public async Task Export_SkippedDuplicateOfAnotherKey_HasNoMediaRowOfItsOwn()
    {
        var tenant = await fixture.NewTenantAsync();
        var (projectId, cycleId, _) = await fixture.NewProjectAsync(tenant);
        var card = Bytes(5000, 2);
        await UploadVerifiedAsync(tenant.User, await NewSessionAsync(tenant.User, projectId, cycleId), new() { ["SN1/a.WAV"] = card });
        var copy = await NewSessionAsync(tenant.User, projectId, cycleId);
        var registered = await RegisterHashedAsync(tenant.User, copy, skip: true, new() { ["SN1-copy/a.WAV"] = card });
        Assert.Equal("duplicate", registered["SN1-copy/a.WAV"]["status"]!.GetValue<string>());

        var (package, _) = await ExportAsync(tenant.User, projectId, 1);

        var row = Assert.Single(package.Media); // one row per stored object: C1/SN1-copy/a.WAV was never uploaded
        Assert.Equal("C1/SN1", row["deploymentID"]);
        Assert.Equal(card, await Plain.GetByteArrayAsync(row["filePath"]!));
        Assert.DoesNotContain(package.Deployments, d => d["deploymentID"] == "C1/SN1-copy");
    }

    [Fact]
    public async Task Export_MoreMediaThanTheCap_400OneLineAndTheCompanyMayExportAgain()
    {
        var tenant = await fixture.NewTenantAsync();
        var (projectId, cycleId, _) = await fixture.NewProjectAsync(tenant);
        var files = Enumerable.Range(0, 4).ToDictionary(i => $"SN1/{i}.WAV", i => Bytes(100, 10 + i));
        await UploadVerifiedAsync(tenant.User, await NewSessionAsync(tenant.User, projectId, cycleId), files);

        var refused = await ApiCalls.PostAsync(tenant.User, $"/api/projects/{projectId}/camtrap-dp", new { }, HttpStatusCode.BadRequest);

        Assert.Equal("the export has more than 3 media files, the most one package holds (Ferry:CamtrapMaximumMedia); export one cycle at a time", refused["detail"]!.GetValue<string>());
        Assert.True(await LeaseFreedAsync(tenant.CompanyId), "the refused export still holds the company's export");
    }

    [Fact]
    public async Task Export_WhileTheCompanysExportRuns_409AndAnotherCompanyIsNotHeld()
    {
        var a = await fixture.NewTenantAsync();
        var b = await fixture.NewTenantAsync();
        var (projectA, cycleA, _) = await fixture.NewProjectAsync(a);
        var (projectB, cycleB, _) = await fixture.NewProjectAsync(b);
        await UploadVerifiedAsync(a.User, await NewSessionAsync(a.User, projectA, cycleA), new() { ["SN1/a.WAV"] = Bytes(100, 3) });
        await UploadVerifiedAsync(b.User, await NewSessionAsync(b.User, projectB, cycleB), new() { ["SN1/b.WAV"] = Bytes(100, 4) });

        var gate = fixture.Factory.Services.GetRequiredService<CamtrapExportGate>();
        using (var running = gate.TryEnter(a.CompanyId))
        {
            Assert.NotNull(running); // company A's export, still being made or sent
            var busy = await ApiCalls.PostAsync(a.User, $"/api/projects/{projectA}/camtrap-dp", new { }, HttpStatusCode.Conflict);
            Assert.Equal("a Camtrap DP export of your company is being made; try again when it has finished", busy["detail"]!.GetValue<string>());
            Assert.Single((await ExportAsync(b.User, projectB, 0)).Package.Media);
        }

        Assert.Single((await ExportAsync(a.User, projectA, 0)).Package.Media);
        Assert.True(await LeaseFreedAsync(a.CompanyId), "the export sent still holds the company's export");
    }

    [Fact]
    public async Task ProjectPage_OperatorAllowsSevenDays_CardOffersThemAndTheDownloadEndsWithTheSignIn()
    {
        var tenant = await fixture.NewTenantAsync();
        var (projectId, cycleId, _) = await fixture.NewProjectAsync(tenant);
        await UploadVerifiedAsync(tenant.User, await NewSessionAsync(tenant.User, projectId, cycleId), new() { ["SN1/a.WAV"] = Bytes(100, 5) });
        var browser = await CamtrapPages.SignInUserAsync(fixture, tenant);

        var page = await browser.GetStringAsync($"/projects/{projectId}");
        using var download = await WebCalls.PostFormAsync(browser, $"/projects/{projectId}?handler=CamtrapDp", new() { ["presignHours"] = "168" }, $"/projects/{projectId}");

        Assert.Contains("<option value=\"168\">", page, StringComparison.Ordinal);
        Assert.Equal("application/zip", download.Content.Headers.ContentType?.MediaType);
        var folder = _temp.Combine("page-" + Guid.NewGuid().ToString("N")[..8]);
        using (var zip = new ZipArchive(await download.Content.ReadAsStreamAsync(), ZipArchiveMode.Read))
        {
            zip.ExtractToDirectory(folder);
        }

        var row = Assert.Single(CamtrapPackageValidator.Validate(folder).Media);
        var expires = int.Parse(row["filePath"]!.Split("X-Amz-Expires=")[1].Split('&')[0], System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(expires, 1, 7200); // the sign-in cookie lives 2 hours here (Ferry:TokenLifetime)
    }

    /// <summary>Whether the company's export lease is free within 30 seconds (it is let go when the server closes the zip it sent).</summary>
    private async Task<bool> LeaseFreedAsync(long companyId)
    {
        var gate = fixture.Factory.Services.GetRequiredService<CamtrapExportGate>();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            using var lease = gate.TryEnter(companyId);
            if (lease is not null)
            {
                return true;
            }

            await Task.Delay(100);
        }

        return false;
    }

    /// <summary>The package, validated (its one sensor folder SN1 located), and the links' expiry header.</summary>
    private async Task<(CamtrapPackage Package, string? LinksExpire)> ExportAsync(HttpClient client, long projectId, int presignHours)
    {
        using var response = await client.PostAsJsonAsync($"/api/projects/{projectId}/camtrap-dp", new { presign_hours = presignHours, locations_csv = "folder,latitude,longitude\nSN1,51.5,4.7\n" });
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        var folder = _temp.Combine("package-" + Guid.NewGuid().ToString("N")[..8]);
        using (var zip = new ZipArchive(await response.Content.ReadAsStreamAsync(), ZipArchiveMode.Read))
        {
            zip.ExtractToDirectory(folder);
        }

        var package = CamtrapPackageValidator.Validate(folder);
        Assert.Empty(package.Errors);
        return (package, response.Headers.TryGetValues(CamtrapEndpoints.LinksExpireHeader, out var values) ? values.Single() : null);
    }
}

/// <summary>A SQLite server with 2-hour sign-ins, 1-hour presigned URLs, Camtrap links up to 7 days and at most 3 media rows per package.</summary>
public sealed class CamtrapBoundsSqliteFixture : SqliteServerFixture
{
    protected override void AddSettings(Dictionary<string, string?> settings) => CamtrapBounds.Add(settings);
}

/// <summary>The same on PostgreSQL.</summary>
public sealed class CamtrapBoundsPostgresFixture : ServerFixture
{
    protected override Task<string> CreateDatabaseAsync(string directory) => PostgresServer.Shared.CreateDatabaseAsync();

    protected override void AddSettings(Dictionary<string, string?> settings) => CamtrapBounds.Add(settings);
}

/// <summary>The project page as a company's user sees it in a browser.</summary>
internal static class CamtrapPages
{
    /// <summary>A new user of the tenant's company, signed in through the sign-in form (cookie).</summary>
    public static async Task<HttpClient> SignInUserAsync(ServerFixture fixture, Tenant tenant)
    {
        var username = fixture.UniqueName("user");
        await ApiCalls.PostAsync(await fixture.SystemAdminAsync(), "/api/users", new { username, password = "password-" + username, role = "user", company_id = tenant.CompanyId });
        return await WebCalls.SignInAsync(fixture, username, "password-" + username);
    }
}

internal static class CamtrapBounds
{
    public static void Add(Dictionary<string, string?> settings)
    {
        settings["Ferry:TokenLifetime"] = "02:00:00";
        settings["Ferry:PresignLifetime"] = "01:00:00";
        settings["Ferry:CamtrapLinkLifetime"] = "7.00:00:00";
        settings["Ferry:CamtrapMaximumMedia"] = "3";
    }
}

public sealed class CamtrapExportBoundsTestsOnSqlite(CamtrapBoundsSqliteFixture fixture) : CamtrapExportBoundsTests<CamtrapBoundsSqliteFixture>(fixture);

public sealed class CamtrapExportBoundsTestsOnPostgres(CamtrapBoundsPostgresFixture fixture) : CamtrapExportBoundsTests<CamtrapBoundsPostgresFixture>(fixture);
