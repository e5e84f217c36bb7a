using Ferry.Core.Journal;
using Ferry.Core.Storage;
using Ferry.Core.Transfer;
using Ferry.Testing;

namespace Ferry.Core.Tests.Transfer;

/// <summary>The engine with a local directory as destination (no multipart: large files are hashed, then streamed).</summary>
public sealed class LocalUploadTests : IDisposable
{
    private readonly TempDirectory _work = new("local-upload");

    public void Dispose() => _work.Dispose();

    [Fact]
    public async Task RunAsync_ToLocalDirectory_CopiesEveryFileAndRerunSkipsThem()
    {
        var source = _work.Combine("src");
        _work.Write("src/C1/SN1/a.WAV", TestData.Bytes(1000, 1));
        _work.Write("src/C1/SN1/big.bin", TestData.Bytes(7 * 1024 * 1024, 2));
        _work.Write("src/zero", []);
        var destination = _work.Combine("dst");

        var first = await RunAsync(source, destination);
        var second = await RunAsync(source, destination);

        Assert.Equal(UploadOutcome.Completed, first.Outcome);
        Assert.Equal(3, first.Counts.FilesUploaded);
        Assert.Equal(3, second.Counts.FilesPresent);
        foreach (var relative in new[] { "C1/SN1/a.WAV", "C1/SN1/big.bin", "zero" })
        {
            Assert.Equal(File.ReadAllBytes(Path.Combine(source, relative)), File.ReadAllBytes(Path.Combine(destination, "p", relative)));
        }

        Assert.Empty(Directory.GetFiles(destination, LocalDirectoryStore.TemporaryFilePrefix + "*", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task RunAsync_LocalFileChangedSinceLastRun_UploadsNewVersion()
    {
        var source = _work.Combine("src");
        var file = _work.Write("src/a.txt", "one"u8.ToArray());
        var destination = _work.Combine("dst");
        await RunAsync(source, destination);
        File.WriteAllText(file, "two, longer");

        var second = await RunAsync(source, destination);

        Assert.Equal(1, second.Counts.FilesUploaded);
        Assert.Equal("two, longer", File.ReadAllText(Path.Combine(destination, "p", "a.txt")));
    }

    private async Task<UploadSummary> RunAsync(string source, string destination)
    {
        using var journal = TransferJournal.Open(_work.Combine("journal.db"));
        var engine = new UploadEngine(journal);
        var options = new UploadOptions { MultipartThreshold = 5 * UploadOptions.MiB, PartSize = 5 * UploadOptions.MiB };
        return await engine.RunAsync(new UploadRequest(source, new LocalDirectoryStore(destination), "p/"), options, new TransferProgress(), null, CancellationToken.None);
    }
}
