using System.Security.Cryptography;
using System.Text.Json;
using Ferry.Core.Bundles;
using Ferry.Core.Storage;
using Ferry.Testing;

namespace Ferry.Core.Tests.Bundles;

/// <summary>Exports to a local directory store: layout, reports, the outbox when the destination fails, flush, leftovers.</summary>
public sealed class BundleExporterTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 11, 22, 7, 30, 15, TimeSpan.Zero);
    private readonly TempDirectory _work = new("bundles");

    public void Dispose() => _work.Dispose();

    private Outbox Outbox => new(_work.Combine("outbox"));

    private BundleExporter Exporter() => new(Outbox, d => new LocalDirectoryStore(StoreLocation.Parse(d.Location).Container), journal: null, new FixedTime(Now));

    private string Review()
    {
        _work.Write("review/documents/contract.pdf", TestData.Bytes(70_000, 1));
        _work.Write("review/documents/annex 1 #b.docx", TestData.Bytes(3000, 2));
        _work.Write("review/feedback/round-1/notes.txt", TestData.Bytes(120, 3));
        _work.Write("review/logs/empty.log", []);
        return _work.Combine("review");
    }

    [Fact]
    public async Task ExportAsync_ReachableDestination_WritesSectionsAndReportsWithEveryChecksum()
    {
        var source = Review();
        var destination = _work.Combine("archive");
        var sut = Exporter();

        var result = await sut.ExportAsync(new BundleRequest("Contract review 42", BundleSection.FromSubfolders(source), new BundleDestination(destination), "alice"), null, CancellationToken.None);

        Assert.Equal(ExportOutcome.Delivered, result.Outcome);
        Assert.Equal("20261122_073015_contract-review-42", result.Folder);
        var bundle = Path.Combine(destination, result.Folder);
        var expected = Directory.GetFiles(source, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(source, f)).Order(StringComparer.Ordinal).ToList();
        var actual = Directory.GetFiles(bundle, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(bundle, f)).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(expected.Append(BundleReports.JsonName).Append(BundleReports.TextName).Order(StringComparer.Ordinal), actual);
        using var report = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(bundle, BundleReports.JsonName)));
        var root = report.RootElement;
        Assert.Equal("delivered", root.GetProperty("outcome").GetString());
        Assert.Equal("Contract review 42", root.GetProperty("name").GetString());
        Assert.Equal("alice", root.GetProperty("created_by").GetProperty("user").GetString());
        Assert.Equal(4, root.GetProperty("totals").GetProperty("files").GetInt64());
        Assert.Equal(["documents", "feedback", "logs"], root.GetProperty("sections").EnumerateArray().Select(s => s.GetProperty("name").GetString()!));
        foreach (var file in root.GetProperty("files").EnumerateArray())
        {
            var bytes = File.ReadAllBytes(Path.Combine(source, file.GetProperty("path").GetString()!));
            Assert.Equal(bytes.Length, file.GetProperty("size").GetInt64());
            Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(bytes)), file.GetProperty("sha256").GetString());
        }

        var text = File.ReadAllText(Path.Combine(bundle, BundleReports.TextName));
        Assert.Contains("Audit bundle: Contract review 42", text);
        Assert.Contains("delivered", text);
        Assert.Contains(Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(Path.Combine(source, "documents", "contract.pdf")))), text);
        Assert.Empty(Outbox.List());
        Assert.Equal([".locks"], Directory.GetDirectories(Outbox.Directory).Select(Path.GetFileName));
    }

    [Fact]
    public async Task ExportAsync_DestinationFails_QueuedCompleteInOutboxThenFlushDeliversAndEmptiesIt()
    {
        var source = Review();
        var blocker = _work.Write("blocked", [1]); // a file where the destination's folder would be: creating it fails
        var destination = Path.Combine(blocker, "archive");
        var sut = Exporter();

        var queued = await sut.ExportAsync(new BundleRequest("Contract review 42", BundleSection.FromSubfolders(source), new BundleDestination(destination)), null, CancellationToken.None);

        Assert.Equal(ExportOutcome.Queued, queued.Outcome);
        Assert.NotNull(queued.Message);
        var waiting = Assert.Single(Outbox.List());
        Assert.Equal(1, waiting.Descriptor.Attempts);
        Assert.True(File.Exists(Path.Combine(waiting.Directory, BundleReports.JsonName)));
        Assert.Equal(File.ReadAllBytes(Path.Combine(source, "documents", "contract.pdf")), File.ReadAllBytes(Path.Combine(waiting.Directory, "documents", "contract.pdf")));
        using (var report = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(waiting.Directory, BundleReports.JsonName))))
        {
            Assert.Equal("queued", report.RootElement.GetProperty("outcome").GetString());
        }

        File.Delete(blocker);
        var flushed = await sut.FlushAsync(dueOnly: false, select: null, CancellationToken.None);

        var delivered = Assert.Single(flushed);
        Assert.Equal(ExportOutcome.Delivered, delivered.Outcome);
        Assert.Empty(Outbox.List());
        Assert.True(File.Exists(Path.Combine(destination, queued.Folder, "feedback", "round-1", "notes.txt")));
        Assert.Single(Directory.GetDirectories(destination));
        Assert.Empty(await sut.FlushAsync(dueOnly: false, select: null, CancellationToken.None));
    }

    [Fact]
    public async Task ExportAsync_SameExportAgainWhileFirstWaits_DeliversTheWaitingBundleNotASecondCopy()
    {
        var source = Review();
        var blocker = _work.Write("blocked", [1]);
        var destination = new BundleDestination(Path.Combine(blocker, "archive"));
        var sut = Exporter();
        var request = new BundleRequest("Review", BundleSection.FromSubfolders(source), destination);
        var first = await sut.ExportAsync(request, null, CancellationToken.None);

        var second = await sut.ExportAsync(request, null, CancellationToken.None);

        Assert.Equal(first.Folder, second.Folder);
        Assert.Equal(2, Assert.Single(Outbox.List()).Descriptor.Attempts);
    }

    [Fact]
    public async Task FlushAsync_DueOnly_WaitsForTheBackoff()
    {
        var source = Review();
        var blocker = _work.Write("blocked", [1]);
        var sut = Exporter();
        await sut.ExportAsync(new BundleRequest("Review", BundleSection.FromSubfolders(source), new BundleDestination(Path.Combine(blocker, "a"))), null, CancellationToken.None);

        Assert.Empty(await sut.FlushAsync(dueOnly: true, select: null, CancellationToken.None));
        Assert.Single(await sut.FlushAsync(dueOnly: false, select: null, CancellationToken.None));
    }

    [Fact]
    public void List_StagingLeftByKilledProcess_RemovedUnlessStillClaimed()
    {
        var abandoned = _work.Write("outbox/.staging-dead/documents/a.txt", [1]);
        var live = _work.Write("outbox/.staging-live/documents/a.txt", [1]);
        using var claim = OutboxClaim.TryTake(_work.Combine("outbox", ".locks"), ".staging-live");

        Assert.Empty(Outbox.List());

        Assert.False(File.Exists(abandoned));
        Assert.True(File.Exists(live));
    }

    [Fact]
    public void TryClaim_HeldByAnotherHandle_ReturnsNullUntilReleased()
    {
        var first = OutboxClaim.TryTake(_work.Combine("outbox", ".locks"), "b");

        Assert.NotNull(first);
        Assert.Null(OutboxClaim.TryTake(_work.Combine("outbox", ".locks"), "b"));
        first!.Dispose();
        using var second = OutboxClaim.TryTake(_work.Combine("outbox", ".locks"), "b");
        Assert.NotNull(second);
    }

    [Theory]
    [InlineData("comprehensive_report.json")]
    [InlineData(".ferry")]
    [InlineData("../up")]
    [InlineData("")]
    public void FindProblem_ReservedOrUnsafeSectionName_Named(string name) => Assert.NotNull(BundleSection.FindProblem(name));

    [Fact]
    public async Task ExportAsync_MissingSectionFolder_ThrowsAndLeavesNothing()
    {
        var sut = Exporter();

        var error = await Assert.ThrowsAsync<BundleException>(() => sut.ExportAsync(new BundleRequest("x", [new BundleSection("documents", _work.Combine("nope"))], new BundleDestination(_work.Combine("d"))), null, CancellationToken.None));

        Assert.Contains("does not exist", error.Message);
        Assert.Empty(Outbox.List());
        Assert.False(Directory.Exists(_work.Combine("d")));
    }

    [Fact]
    public void FromSubfolders_LooseFiles_RefusedWithTheFix()
    {
        _work.Write("src/loose.txt", [1]);
        _work.Write("src/documents/a", [1]);

        var error = Assert.Throws<BundleException>(() => BundleSection.FromSubfolders(_work.Combine("src")));

        Assert.Contains("loose.txt", error.Message);
        Assert.Contains("--section", error.Message);
    }

    private sealed class FixedTime(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
