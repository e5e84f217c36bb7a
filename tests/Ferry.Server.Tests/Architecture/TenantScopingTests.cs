using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Ferry.Server.Data;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.Infrastructure;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.Mvc.RazorPages.Infrastructure;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Ferry.Server.Tests.Architecture;

/// <summary>
/// Tenancy by construction, checked by enumeration: with two companies' data in place, EVERY API route and EVERY page
/// handler the server has — including ones added after this test was written — is called by company A's admin, user and
/// viewer with company B's ids, names and keys in the path, the query, the form and the JSON body. None may answer with
/// anything of B's, and none may change a row of B's. A route with B's id in its path must not succeed.
/// </summary>
public abstract partial class TenantScopingTests<TFixture>(TFixture fixture) : IClassFixture<TFixture> where TFixture : ServerFixture
{
    [Fact]
    public async Task EveryApiRoute_CalledByAnotherCompany_ReturnsAndChangesNothingOfTheOwner()
    {
        var (attacker, victim) = await TwoCompaniesAsync();
        var before = await SnapshotAsync(fixture.Factory, victim);
        var routes = ApiRoutes(fixture.Factory).ToList();
        Assert.True(routes.Count > 30, $"expected the server's routes, found {routes.Count}");
        Assert.Contains(routes, r => r.Pattern == "/metrics"); // the Prometheus exporter's endpoint is in the scan too

        var leaks = new List<string>();
        foreach (var client in new[] { attacker.Tenant.Admin, attacker.Tenant.User, attacker.Tenant.Viewer })
        {
            foreach (var call in Calls(routes, victim, attacker))
            {
                if (await LeakAsync(client, call, victim) is { } leak)
                {
                    leaks.Add(leak);
                }
            }
        }

        Assert.True(leaks.Count == 0, string.Join('\n', leaks));
        Assert.Equal(before, await SnapshotAsync(fixture.Factory, victim));
    }

    [Fact]
    public async Task EveryPageHandler_CalledByAnotherCompany_ShowsAndChangesNothingOfTheOwner()
    {
        var (attacker, victim) = await TwoCompaniesAsync();
        var before = await SnapshotAsync(fixture.Factory, victim);
        var handlers = await PageHandlersAsync(fixture.Factory);
        Assert.True(handlers.Count > 15, $"expected the server's page handlers, found {handlers.Count}");

        var leaks = new List<string>();
        foreach (var (username, password) in attacker.Credentials)
        {
            using var browser = await SignInWithCookieAsync(fixture.Factory, username, password);
            Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/Sessions")).StatusCode); // signed in: the scan reaches the pages
            var form = await AntiforgeryTokenAsync(browser);
            foreach (var handler in handlers)
            {
                foreach (var call in PageCalls(handler, victim, attacker, form))
                {
                    if (await LeakAsync(browser, call, victim) is { } leak)
                    {
                        leaks.Add($"{username}: {leak}");
                    }
                }
            }

            Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/Sessions")).StatusCode); // still signed in: every call above was made as the attacker
        }

        Assert.True(leaks.Count == 0, string.Join('\n', leaks));
        Assert.Equal(before, await SnapshotAsync(fixture.Factory, victim));
    }

    [Fact]
    public async Task Scanner_EndpointThatIgnoresTheTenantFilter_IsCaught()
    {
        // The scan must catch a route written to look across companies: an endpoint added only in this test does.
        var (attacker, victim) = await TwoCompaniesAsync();
        await using var leaky = fixture.Factory.WithWebHostBuilder(host => host.ConfigureTestServices(services =>
            services.AddSingleton<IStartupFilter>(new LeakyRouteStartup())));
        using var client = leaky.CreateClient();
        client.DefaultRequestHeaders.Authorization = attacker.Tenant.Admin.DefaultRequestHeaders.Authorization;

        var route = ApiRoutes(leaky).Single(r => r.Pattern == "/api/test-only/projects/{id}");
        var leaks = new List<string>();
        foreach (var call in Calls([route], victim, attacker))
        {
            if (await LeakAsync(client, call, victim) is { } leak)
            {
                leaks.Add(leak);
            }
        }

        Assert.NotEmpty(leaks);
    }

    private sealed class LeakyRouteStartup : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            next(app);
            app.UseEndpoints(endpoints => endpoints.MapGet("/api/test-only/projects/{id}", async (long id, FerryDbContext db) =>
                Results.Ok(await db.Projects.IgnoreQueryFilters().Where(p => p.Id == id).Select(p => new { p.Name, p.BucketName }).ToListAsync())));
        };
    }

    // ---- the two companies ----

    private sealed record Attacker(Tenant Tenant, IReadOnlyList<(string Username, string Password)> Credentials, IReadOnlySet<long> OwnIds);

    /// <summary>Company B's rows: every id a route could take, and strings that appear nowhere else.</summary>
    private sealed record Victim(long CompanyId, IReadOnlyList<long> Ids, long ProjectId, long CycleId, long SessionId, string Donor, string FilePath, IReadOnlyList<string> Markers);

    private async Task<(Attacker Attacker, Victim Victim)> TwoCompaniesAsync()
    {
        var (attacker, credentials) = await TenantWithCredentialsAsync();
        var (owner, ownerCredentials) = await TenantWithCredentialsAsync();
        var (projectId, cycleId, bucket) = await fixture.NewProjectAsync(owner);
        var project = await ApiCalls.GetAsync(owner.Admin, $"/api/projects/{projectId}");
        var label = fixture.UniqueName("victimlabel");
        var filePath = $"{fixture.UniqueName("victimserial")}/victimfile.wav";
        var session = await ApiCalls.PostAsync(owner.User, "/api/sessions", new { project_id = projectId, cycle_id = cycleId, local_directory = "/victim/" + label, label, checks = new[] { new { folder = "victimcheck-" + label, files = 1, bytes = 1 } } });
        var sessionId = session["id"]!.GetValue<long>();
        await ApiCalls.PostAsync(owner.User, $"/api/sessions/{sessionId}/files", new { files = new[] { new { path = filePath, size = 1 } } });
        var donor = "p_" + Guid.NewGuid().ToString("N");
        var company = await CompanyNameAsync(owner.CompanyId);

        // Rows the API makes only through S3, workers or donations: written straight to the database.
        var ids = new List<long> { owner.CompanyId, projectId, cycleId, sessionId };
        using (var scope = fixture.Factory.Services.CreateScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<FerryDbContext>();
            var now = DateTimeOffset.UtcNow;
            var userId = await db.Users.Where(u => u.CompanyId == owner.CompanyId).Select(u => u.Id).FirstAsync();
            var job = new UploadJob { CompanyId = owner.CompanyId, ProjectId = projectId, CycleId = cycleId, SessionId = sessionId, UserId = userId, LocalDirectory = "/victim/" + label, Status = JobStatus.Queued, CreatedAt = now };
            var export = new SessionExport { CompanyId = owner.CompanyId, SessionId = sessionId, UserId = userId, Kind = ExportKind.S3, Status = ExportStatus.Delivered, Bundle = "victim-bundle-" + label, Location = $"s3://{bucket}/victim-bundle-{label}/", CreatedAt = now, FinishedAt = now };
            var donation = new Donation { CompanyId = owner.CompanyId, Donor = donor, Status = DonationStatus.Completed, Files = 1, Records = 1, Bytes = 10, Location = $"s3://{bucket}/victim-donation-{label}", CreatedAt = now, FinishedAt = now };
            db.AddRange(job, export, donation);
            db.Consents.Add(new ConsentEntry { CompanyId = owner.CompanyId, Donor = donor, Decision = "granted", At = now, PolicyVersion = "victim-policy", PolicyHash = "victim-hash-" + label, Scope = "victim-scope" });
            await db.SaveChangesAsync();
            db.DonatedRecords.Add(new DonatedRecord { CompanyId = owner.CompanyId, DonationId = donation.Id, Donor = donor, RecordedAt = now, Data = "{\"victim\":\"" + label + "\"}" });
            await db.SaveChangesAsync();
            ids.AddRange([job.Id, export.Id, donation.Id]);
            ids.AddRange(await db.Users.Where(u => u.CompanyId == owner.CompanyId).Select(u => u.Id).ToListAsync());
            ids.AddRange(await db.SessionFiles.Where(f => f.SessionId == sessionId).Select(f => f.Id).ToListAsync());
        }

        var attackerIds = new HashSet<long> { attacker.CompanyId };
        using (var scope = fixture.Factory.Services.CreateScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<FerryDbContext>();
            attackerIds.UnionWith(await db.Users.Where(u => u.CompanyId == attacker.CompanyId).Select(u => u.Id).ToListAsync());
        }

        var markers = new List<string> { company, project["name"]!.GetValue<string>(), bucket, label, "victimserial", "victimfile", donor, "victim-bundle", "victim-policy", "victim-hash" };
        markers.AddRange(ownerCredentials.Select(c => c.Username));
        var victim = new Victim(owner.CompanyId, ids.Where(id => !attackerIds.Contains(id)).Distinct().ToList(), projectId, cycleId, sessionId, donor, filePath, markers);
        return (new Attacker(attacker, credentials, attackerIds), victim);
    }

    private async Task<(Tenant Tenant, List<(string Username, string Password)> Credentials)> TenantWithCredentialsAsync()
    {
        var system = await fixture.SystemAdminAsync();
        var company = await ApiCalls.PostAsync(system, "/api/companies", new { name = fixture.UniqueName("company") });
        var companyId = company["id"]!.GetValue<long>();
        var clients = new Dictionary<string, HttpClient>();
        var credentials = new List<(string Username, string Password)>();
        foreach (var role in new[] { "admin", "user", "viewer" })
        {
            var username = fixture.UniqueName(role);
            var password = "password-" + username;
            await ApiCalls.PostAsync(system, "/api/users", new { username, password, role, company_id = companyId });
            clients[role] = await fixture.SignInAsync(username, password);
            credentials.Add((username, password));
        }

        return (new Tenant(companyId, clients["admin"], clients["user"], clients["viewer"]), credentials);
    }

    private async Task<string> CompanyNameAsync(long companyId)
    {
        using var scope = fixture.Factory.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<FerryDbContext>();
        return await db.Companies.Where(c => c.Id == companyId).Select(c => c.Name).SingleAsync();
    }

    /// <summary>Every row of company B, serialized: equal before and after means nothing of B's changed.</summary>
    private static async Task<string> SnapshotAsync(WebApplicationFactory<Program> factory, Victim victim)
    {
        using var scope = factory.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<FerryDbContext>();
        var company = victim.CompanyId;
        var projects = await db.Projects.IgnoreQueryFilters().Where(p => p.CompanyId == company).OrderBy(p => p.Id).ToListAsync();
        var projectIds = projects.Select(p => p.Id).ToList();
        var sessions = await db.Sessions.IgnoreQueryFilters().Where(s => s.CompanyId == company).OrderBy(s => s.Id).ToListAsync();
        var sessionIds = sessions.Select(s => s.Id).ToList();
        var snapshot = new Dictionary<string, object>
        {
            ["company"] = await db.Companies.IgnoreQueryFilters().Where(c => c.Id == company).ToListAsync(),
            ["users"] = await db.Users.IgnoreQueryFilters().Where(u => u.CompanyId == company).OrderBy(u => u.Id).ToListAsync(),
            ["projects"] = projects,
            ["cycles"] = await db.Cycles.IgnoreQueryFilters().Where(c => projectIds.Contains(c.ProjectId)).OrderBy(c => c.Id).ToListAsync(),
            ["verified"] = await db.VerifiedObjects.IgnoreQueryFilters().Where(v => projectIds.Contains(v.ProjectId)).OrderBy(v => v.Id).ToListAsync(),
            ["sessions"] = sessions,
            ["files"] = await db.SessionFiles.IgnoreQueryFilters().Where(f => sessionIds.Contains(f.SessionId)).OrderBy(f => f.Id).ToListAsync(),
            ["multipart"] = await db.MultipartUploads.IgnoreQueryFilters().Where(m => sessionIds.Contains(m.SessionId)).OrderBy(m => m.Id).ToListAsync(),
            ["jobs"] = await db.Jobs.IgnoreQueryFilters().Where(j => j.CompanyId == company).OrderBy(j => j.Id).ToListAsync(),
            ["exports"] = await db.Exports.IgnoreQueryFilters().Where(e => e.CompanyId == company).OrderBy(e => e.Id).ToListAsync(),
            ["consents"] = await db.Consents.IgnoreQueryFilters().Where(c => c.CompanyId == company).OrderBy(c => c.Id).ToListAsync(),
            ["donations"] = await db.Donations.IgnoreQueryFilters().Where(d => d.CompanyId == company).OrderBy(d => d.Id).ToListAsync(),
            ["records"] = await db.DonatedRecords.IgnoreQueryFilters().Where(r => r.CompanyId == company).OrderBy(r => r.Id).ToListAsync(),
            ["erasures"] = await db.Erasures.IgnoreQueryFilters().Where(e => e.CompanyId == company).OrderBy(e => e.Id).ToListAsync(),
        };
        return JsonSerializer.Serialize(snapshot);
    }

    // ---- the API ----

    private sealed record ApiRoute(string Pattern, string Method, IReadOnlyList<string> Parameters);

    private sealed record Call(HttpMethod Method, string Path, HttpContent? Content, bool PathNamesVictim);

    private static IEnumerable<ApiRoute> ApiRoutes(WebApplicationFactory<Program> factory)
    {
        var sources = factory.Services.GetRequiredService<EndpointDataSource>();
        foreach (var endpoint in sources.Endpoints.OfType<RouteEndpoint>())
        {
            var pattern = "/" + (endpoint.RoutePattern.RawText ?? "").TrimStart('/');
            if (endpoint.Metadata.GetMetadata<PageActionDescriptorMarker>() is not null || endpoint.Metadata.GetMetadata<Microsoft.AspNetCore.Mvc.RazorPages.CompiledPageActionDescriptor>() is not null
                || endpoint.Metadata.OfType<Microsoft.AspNetCore.Mvc.Abstractions.ActionDescriptor>().Any())
            {
                continue; // pages: the page test covers them
            }

            var methods = endpoint.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? ["GET"];
            foreach (var method in methods)
            {
                yield return new ApiRoute(pattern, method, endpoint.RoutePattern.Parameters.Select(p => p.Name).ToList());
            }
        }
    }

    /// <summary>Marker type never present: keeps the page check above readable.</summary>
    private sealed class PageActionDescriptorMarker;

    /// <summary>Each route with every combination of B's ids (or names) in its path, B's ids in the query and a JSON body full of B's ids.</summary>
    private static IEnumerable<Call> Calls(IEnumerable<ApiRoute> routes, Victim victim, Attacker attacker)
    {
        var query = $"project_id={victim.ProjectId}&cycle_id={victim.CycleId}&session_id={victim.SessionId}&company_id={victim.CompanyId}&donor={victim.Donor}&pseudonym={victim.Donor}";
        foreach (var route in routes)
        {
            foreach (var (path, namesVictimId) in Fill(route.Pattern, route.Parameters, victim))
            {
                var content = route.Method is "GET" or "HEAD" ? null : JsonContent.Create(VictimBody(victim));
                yield return new Call(new HttpMethod(route.Method), path + "?" + query, content, namesVictimId);
            }
        }
    }

    /// <summary>The pattern with each parameter replaced by each of B's ids (and, where not a number, B's donor and file path); whether a numeric id of B's is in the path.</summary>
    private static IEnumerable<(string Path, bool NamesVictimId)> Fill(string pattern, IReadOnlyList<string> parameters, Victim victim)
    {
        IEnumerable<(string Path, bool NamesVictimId)> paths = [(pattern, false)];
        foreach (var name in parameters)
        {
            var placeholder = RouteParameter(name);
            paths = paths.SelectMany(path =>
            {
                var constraint = placeholder.Match(path.Path).Groups["constraint"].Value;
                var ids = victim.Ids.Select(id => (id.ToString(System.Globalization.CultureInfo.InvariantCulture), true));
                var values = constraint.Contains("long", StringComparison.Ordinal) || constraint.Contains("int", StringComparison.Ordinal)
                    ? ids
                    : ids.Append((victim.Donor, false)).Append((Uri.EscapeDataString(victim.FilePath), false));
                return values.Select(value => (placeholder.Replace(path.Path, value.Item1, 1), path.NamesVictimId || value.Item2));
            });
        }

        return paths;
    }

    private static Regex RouteParameter(string name) => new($@"\{{\*{{0,2}}{Regex.Escape(name)}(?<constraint>[^}}]*)\}}");

    private static object VictimBody(Victim victim) => new Dictionary<string, object?>
    {
        ["id"] = victim.SessionId,
        ["project_id"] = victim.ProjectId,
        ["cycle_id"] = victim.CycleId,
        ["session_id"] = victim.SessionId,
        ["company_id"] = victim.CompanyId,
        ["user_id"] = victim.Ids[^1],
        ["donor"] = victim.Donor,
        ["pseudonym"] = victim.Donor,
        ["name"] = "attack",
        ["role"] = "admin",
        ["path"] = victim.FilePath,
        ["paths"] = new[] { victim.FilePath },
        ["files"] = new[] { new { path = victim.FilePath, size = 1 } },
    };

    private static async Task<string?> LeakAsync(HttpClient client, Call call, Victim victim)
    {
        var sent = Uri.UnescapeDataString(call.Path + (call.Content is null ? "" : await call.Content.ReadAsStringAsync()));
        using var request = new HttpRequestMessage(call.Method, call.Path) { Content = call.Content };
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        HttpResponseMessage response;
        string body;
        try
        {
            response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(timeout.Token));
            var buffer = new char[256 * 1024];
            var read = await reader.ReadBlockAsync(buffer.AsMemory(), timeout.Token);
            body = new string(buffer, 0, read);
        }
        catch (OperationCanceledException)
        {
            return $"{call.Method} {call.Path}: still answering after 15 s (a stream of another company's data?)";
        }

        using (response)
        {
            // What the request itself carried may be echoed back ("donor p_… was not found"); anything else of B's is a leak.
            if (victim.Markers.FirstOrDefault(m => body.Contains(m, StringComparison.Ordinal) && !sent.Contains(m, StringComparison.Ordinal)) is { } marker)
            {
                return $"{call.Method} {call.Path} answered {(int)response.StatusCode} with '{marker}' of the other company";
            }

            if (call.PathNamesVictim && response.IsSuccessStatusCode && response.StatusCode != HttpStatusCode.NoContent && IsApiPath(call.Path))
            {
                return $"{call.Method} {call.Path} succeeded ({(int)response.StatusCode}) on the other company's id";
            }

            return null;
        }
    }

    private static bool IsApiPath(string path) => path.StartsWith("/api/", StringComparison.Ordinal);

    // ---- the pages ----

    private sealed record PageHandler(string Page, string Verb, string? Name, IReadOnlyList<string> Parameters);

    /// <summary>Every handler of every page, as Razor Pages itself loads it: its path, verb, handler name and what it binds.</summary>
    private static async Task<List<PageHandler>> PageHandlersAsync(WebApplicationFactory<Program> factory)
    {
        var loader = factory.Services.GetRequiredService<PageLoader>();
        var pages = factory.Services.GetRequiredService<IActionDescriptorCollectionProvider>().ActionDescriptors.Items.OfType<PageActionDescriptor>()
            .DistinctBy(p => p.ViewEnginePath);
        var handlers = new List<PageHandler>();
        foreach (var page in pages)
        {
            var compiled = await loader.LoadAsync(page, EndpointMetadataCollection.Empty);
            var bound = compiled.BoundProperties.Select(p => p.Name).ToList();
            foreach (var handler in compiled.HandlerMethods)
            {
                var parameters = handler.Parameters.Where(p => p.ParameterType != typeof(CancellationToken)).Select(p => p.Name).Concat(bound).Distinct().ToList();
                handlers.Add(new PageHandler(page.ViewEnginePath, handler.HttpMethod.ToUpperInvariant(), handler.Name, parameters));
            }
        }

        return handlers;
    }

    private static IEnumerable<Call> PageCalls(PageHandler handler, Victim victim, Attacker attacker, string antiforgery)
    {
        if (handler.Page is "/SignOut" or "/SignIn" or "/Account/Password")
        {
            yield break; // the caller's own sign-in and password: signing the attacker out mid-scan would hide what follows
        }

        var values = victim.Ids.Select(id => id.ToString(System.Globalization.CultureInfo.InvariantCulture)).Append(victim.Donor).Append(victim.FilePath).ToList();
        foreach (var value in handler.Parameters.Count == 0 ? [""] : values)
        {
            var fields = new List<KeyValuePair<string, string>>();
            foreach (var parameter in handler.Parameters)
            {
                fields.Add(new(parameter, value));
                fields.Add(new(SnakeCase(parameter), value));
            }

            fields.AddRange([new("projectId", victim.ProjectId.ToString(System.Globalization.CultureInfo.InvariantCulture)), new("cycleId", victim.CycleId.ToString(System.Globalization.CultureInfo.InvariantCulture))]);
            var handlerQuery = handler.Name is null ? "" : $"handler={handler.Name}&";
            if (handler.Verb == "GET")
            {
                var query = string.Join('&', fields.Select(f => $"{Uri.EscapeDataString(f.Key)}={Uri.EscapeDataString(f.Value)}"));
                yield return new Call(HttpMethod.Get, $"{handler.Page}?{handlerQuery}{query}", null, handler.Parameters.Count > 0);
            }
            else
            {
                fields.Add(new("__RequestVerificationToken", antiforgery));
                yield return new Call(HttpMethod.Post, $"{handler.Page}?{handlerQuery}", new FormUrlEncodedContent(fields), handler.Parameters.Count > 0);
            }
        }
    }

    private static string SnakeCase(string name) => Regex.Replace(name, "(?<=[a-z0-9])([A-Z])", "_$1").ToLowerInvariant();

    private static async Task<HttpClient> SignInWithCookieAsync(WebApplicationFactory<Program> factory, string username, string password)
    {
        var client = factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });
        var token = await AntiforgeryTokenAsync(client, "/SignIn");
        var response = await client.PostAsync("/SignIn", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["Username"] = username, ["Password"] = password, ["__RequestVerificationToken"] = token,
        }));
        Assert.True(response.StatusCode is HttpStatusCode.Redirect or HttpStatusCode.Found or HttpStatusCode.SeeOther, $"sign-in as {username}: {(int)response.StatusCode}");
        return client;
    }

    private static async Task<string> AntiforgeryTokenAsync(HttpClient client, string page = "/Account/Password")
    {
        var html = await client.GetStringAsync(page);
        var match = Regex.Match(html, "name=\"__RequestVerificationToken\" type=\"hidden\" value=\"(?<token>[^\"]+)\"");
        Assert.True(match.Success, $"{page} has no form token");
        return match.Groups["token"].Value;
    }
}

public sealed class TenantScopingTestsOnSqlite(SqliteServerFixture fixture) : TenantScopingTests<SqliteServerFixture>(fixture);

public sealed class TenantScopingTestsOnPostgres(PostgresServerFixture fixture) : TenantScopingTests<PostgresServerFixture>(fixture);
