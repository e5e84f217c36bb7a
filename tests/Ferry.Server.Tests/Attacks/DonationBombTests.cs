using System.Diagnostics;
using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Ferry.Server.Data;
using Ferry.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Ferry.Server.Tests.Attacks;

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class DonationBombCollection
{
    /// <summary>Tests that measure the process's memory run alone, so other tests' allocations do not count.</summary>
    public const string Name = "donation bombs (measures memory)";
}

/// <summary>
/// Donations built to exhaust the server: gzip bombs (about 1 MiB inflating to 1 GiB), too many records, a line over
/// the cap, an oversized consent field, too many running donations. Each is refused with the documented status and a
/// reason naming the cap, in memory bounded by the cap, and leaves nothing behind: no object in S3, no donation,
/// record or consent row, no file in the server's incoming or staging folders. The fixtures cap a donation at 64 MiB
/// decompressed, 1,000,000 records and 4 KiB lines.
/// </summary>
[Collection(DonationBombCollection.Name)]
public abstract class DonationBombTests<TFixture>(TFixture fixture) : IClassFixture<TFixture> where TFixture : ServerFixture
{
    /// <summary>How far the bombs inflate: 1 GiB, sixteen times the cap.</summary>
    private const long Inflated = 1L << 30;

    private static readonly Lazy<byte[]> LongLinesBomb = new(() => Bomb("{\"step\":1,\"text\":\"" + new string('a', 4000) + "\"}\n"));

    private static readonly Lazy<byte[]> EmptyRecordsBomb = new(() => Bomb("{}\n"));

    [Fact]
    public async Task Donate_GzipBombPastTheDecompressedCap_413InBoundedMemoryAndNothingStored()
    {
        var bomb = LongLinesBomb.Value;
        Assert.InRange(bomb.Length, 256 * 1024, 2 * 1024 * 1024);

        var (response, peak) = await DonateMeasuredAsync(bomb);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.Status);
        Assert.Contains("Ferry:DonationMaximumDecompressedBytes", response.Detail, StringComparison.Ordinal);
        Assert.Contains($"{SmallCaps.DecompressedBytes:N0} bytes", response.Detail, StringComparison.Ordinal);
        Assert.True(peak < SmallCaps.DecompressedBytes, $"live memory grew by {peak / 1048576} MiB for a donation inflating to {Inflated / 1048576} MiB (cap {SmallCaps.DecompressedBytes / 1048576} MiB)");
    }

    [Fact]
    public async Task Donate_GzipBombOfEmptyRecords_413AtTheRecordCapInBoundedMemoryAndNothingStored()
    {
        var (response, peak) = await DonateMeasuredAsync(EmptyRecordsBomb.Value);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.Status);
        Assert.Contains("Ferry:DonationMaximumRecords", response.Detail, StringComparison.Ordinal);
        Assert.Contains($"{SmallCaps.Records:N0} records", response.Detail, StringComparison.Ordinal);
        Assert.True(peak < SmallCaps.DecompressedBytes, $"live memory grew by {peak / 1048576} MiB for a donation inflating to {Inflated / 1048576} MiB");
    }

    [Fact]
    public async Task Donate_LineLongerThanTheCap_413NamingTheCapAndNothingStored()
    {
        var tenant = await fixture.NewTenantAsync();
        var before = await StateAsync(tenant);
        var logs = TrainingLogs.Gzip("{\"step\":1}\n{\"text\":\"" + new string('a', SmallCaps.LineBytes) + "\"}\n");

        var response = await DonateAsync(tenant.User, await VersionAsync(tenant), logs);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.Status);
        Assert.Contains("Ferry:DonationMaximumLineBytes", response.Detail, StringComparison.Ordinal);
        Assert.Equal(before, await StateAsync(tenant));
    }

    [Fact]
    public async Task Donate_ConsentFieldOverOneKibibyte_400AndNothingStored()
    {
        var tenant = await fixture.NewTenantAsync();
        var before = await StateAsync(tenant);

        var response = await DonateAsync(tenant.User, await VersionAsync(tenant) + new string(' ', 2048), TrainingLogs.Of("mallory", 3));

        Assert.Equal(HttpStatusCode.BadRequest, response.Status);
        Assert.Contains("'consent' is longer than 1,024 bytes", response.Detail, StringComparison.Ordinal);
        Assert.Equal(before, await StateAsync(tenant));
    }

    [Fact]
    public async Task Donate_UserAlreadyHasTwoRunning_429AndNothingStoredUntilOneFinishes()
    {
        var tenant = await fixture.NewTenantAsync();
        var version = await VersionAsync(tenant);
        var donor = (await ApiCalls.GetAsync(tenant.User, "/api/donations/policy"))["donor"]!.GetValue<string>();
        var running = new List<long>();
        await using (var scope = fixture.Factory.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<FerryDbContext>();
            for (var i = 0; i < 2; i++)
            {
                // Donations still being uploaded or processed: rows in state running.
                var row = new Donation { CompanyId = tenant.CompanyId, Donor = donor, Status = DonationStatus.Running, CreatedAt = DateTimeOffset.UtcNow };
                db.Donations.Add(row);
                await db.SaveChangesAsync();
                running.Add(row.Id);
            }
        }

        var before = await StateAsync(tenant);

        var refused = await DonateAsync(tenant.User, version, TrainingLogs.Of("oscar", 2));

        Assert.Equal(HttpStatusCode.TooManyRequests, refused.Status);
        Assert.Contains("Ferry:DonationMaximumRunningPerUser", refused.Detail, StringComparison.Ordinal);
        Assert.Equal(before, await StateAsync(tenant));
        var other = await DonateAsync(tenant.Admin, version, TrainingLogs.Of("peggy", 2)); // another user of the company is not held back
        Assert.Equal(HttpStatusCode.Accepted, other.Status);

        await using (var scope = fixture.Factory.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<FerryDbContext>();
            await db.Donations.Where(d => d.Id == running[0]).ExecuteUpdateAsync(s => s.SetProperty(d => d.Status, DonationStatus.Failed));
        }

        Assert.Equal(HttpStatusCode.Accepted, (await DonateAsync(tenant.User, version, TrainingLogs.Of("oscar", 2))).Status);
    }

    /// <summary>Donates <paramref name="bomb"/> as a new tenant's user, sampling the server's live memory while it runs; checks that nothing was stored.</summary>
    private async Task<(Answer Response, long PeakBytes)> DonateMeasuredAsync(byte[] bomb)
    {
        var tenant = await fixture.NewTenantAsync();
        var version = await VersionAsync(tenant);
        var before = await StateAsync(tenant);
        var baseline = GC.GetTotalMemory(forceFullCollection: true);
        var workingSet = Process.GetCurrentProcess().WorkingSet64;
        long peak = 0;
        using var stop = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                // Live memory: what survives a full collection, while the server reads the bomb.
                peak = Math.Max(peak, GC.GetTotalMemory(forceFullCollection: true) - baseline);
                await Task.Delay(5, CancellationToken.None);
            }
        });

        Answer response;
        try
        {
            response = await DonateAsync(tenant.User, version, bomb);
        }
        finally
        {
            await stop.CancelAsync();
            await sampler;
        }

        peak = Math.Max(peak, GC.GetTotalMemory(forceFullCollection: true) - baseline);
        var grown = Process.GetCurrentProcess().WorkingSet64 - workingSet;
        Assert.Equal(before, await StateAsync(tenant));
        Assert.True(grown < 4 * SmallCaps.DecompressedBytes, $"the working set grew by {grown / 1048576} MiB");
        return (response, peak);
    }

    private async Task<string> VersionAsync(Tenant tenant) => (await ApiCalls.GetAsync(tenant.User, "/api/donations/policy"))["version"]!.GetValue<string>();

    private static async Task<Answer> DonateAsync(HttpClient client, string consent, byte[] file)
    {
        using var form = new MultipartFormDataContent { { new StringContent(consent), "consent" } };
        var content = new ByteArrayContent(file);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/gzip");
        form.Add(content, "files", "run.jsonl.gz");
        using var response = await client.PostAsync("/api/donations", form);
        var text = await response.Content.ReadAsStringAsync();
        var detail = response.StatusCode == HttpStatusCode.Accepted ? "" : JsonNode.Parse(text)?["detail"]?.GetValue<string>() ?? text;
        return new Answer(response.StatusCode, detail);
    }

    /// <summary>What a donation could leave behind: S3 objects of the company, its donation, record and consent rows, and files in the server's donation folders.</summary>
    private async Task<State> StateAsync(Tenant tenant)
    {
        var company = tenant.CompanyId.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var objects = (await fixture.S3.ListKeysAsync(fixture.DonationBucket)).Count(k => k.StartsWith($"study/{company}/", StringComparison.Ordinal));
        await using var scope = fixture.Factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<FerryDbContext>();
        var donations = await db.Donations.CountAsync(d => d.CompanyId == tenant.CompanyId);
        var records = await db.DonatedRecords.CountAsync(r => r.CompanyId == tenant.CompanyId);
        var consents = await db.Consents.CountAsync(c => c.CompanyId == tenant.CompanyId);
        var folder = Path.Combine(fixture.DataDirectory, "donations");
        var files = Directory.Exists(folder) ? Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories).Count() : 0;
        return new State(objects, donations, records, consents, files);
    }

    /// <summary>
    /// A gzip file of concatenated members, each 64 MiB of <paramref name="line"/> repeated, inflating to <see cref="Inflated"/>
    /// bytes in all (gzip readers, .NET's among them, read every member of a file).
    /// </summary>
    private static byte[] Bomb(string line)
    {
        const int block = 64 << 20;
        var pattern = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat(line, (1 << 20) / line.Length)));
        using var member = new MemoryStream();
        using (var zip = new GZipStream(member, CompressionLevel.SmallestSize, leaveOpen: true))
        {
            for (long written = 0; written < block; written += pattern.Length)
            {
                zip.Write(pattern);
            }
        }

        var one = member.ToArray();
        var copies = (int)(Inflated / block);
        var bomb = new byte[one.Length * copies];
        for (var i = 0; i < copies; i++)
        {
            one.CopyTo(bomb, i * one.Length);
        }

        return bomb;
    }

    private sealed record Answer(HttpStatusCode Status, string Detail);

    private sealed record State(int Objects, int Donations, int Records, int Consents, int Files);
}

public sealed class DonationBombTestsOnSqlite(SmallCapsSqliteFixture fixture) : DonationBombTests<SmallCapsSqliteFixture>(fixture);

public sealed class DonationBombTestsOnPostgres(SmallCapsPostgresFixture fixture) : DonationBombTests<SmallCapsPostgresFixture>(fixture);
