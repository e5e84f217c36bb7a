using System.Text;
using Ferry.Core.Privacy;

namespace Ferry.Core.Tests.Privacy;

/// <summary>The caps of a donation while it is pseudonymized (the server's worker) and scanned (the server's upload check).</summary>
public sealed class DonationBudgetTests
{
    private static readonly Pseudonymizer Rules = new(new PseudonymizationRules { Study = "s", Pseudonymize = ["user_id"] }, PseudonymKey.Generate());

    private static readonly DonationLimits Small = new() { MaximumDecompressedBytes = 10_000, MaximumRecords = 5, MaximumLineBytes = 1024 };

    [Fact]
    public async Task ProcessAsync_MoreRecordsThanTheCap_ThrowsNamingTheCapWithinOneRecord()
    {
        var sut = new DonationBudget(Small);
        var input = new MemoryStream(Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("{\"user_id\":\"a\"}\n", 6))));

        var refused = await Assert.ThrowsAsync<DonationLimitException>(() => new JsonLinesPseudonymizer(Rules).ProcessAsync(input, Stream.Null, sut, CancellationToken.None));

        Assert.Equal(DonationCap.Records, refused.Cap);
        Assert.Equal(6, sut.Records);
        Assert.Contains("more than 5 records", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ProcessAsync_LineLongerThanTheCap_RefusesTheDonation()
    {
        var input = new MemoryStream(Encoding.UTF8.GetBytes("{\"user_id\":\"" + new string('a', 2000) + "\"}\n"));

        var refused = await Assert.ThrowsAsync<DonationLimitException>(() => new JsonLinesPseudonymizer(Rules).ProcessAsync(input, Stream.Null, new DonationBudget(Small), CancellationToken.None));

        Assert.Equal(DonationCap.LineBytes, refused.Cap);
    }

    [Fact]
    public async Task ProcessAsync_BytesOverTheCapAcrossFiles_Throws()
    {
        var sut = new DonationBudget(Small);
        var file = Encoding.UTF8.GetBytes(new string(' ', 900) + "\n" + "\n\n");
        var processor = new JsonLinesPseudonymizer(Rules);
        for (var i = 0; i < 11; i++)
        {
            await processor.ProcessAsync(new MemoryStream(file), Stream.Null, sut, CancellationToken.None); // blank lines: no records
        }

        var refused = await Assert.ThrowsAsync<DonationLimitException>(() => processor.ProcessAsync(new MemoryStream(file), Stream.Null, sut, CancellationToken.None));

        Assert.Equal(DonationCap.DecompressedBytes, refused.Cap);
        Assert.Equal(0, sut.Records);
    }

    [Fact]
    public async Task ScanAsync_CountsLikeThePseudonymizer_BlankLinesAreNotRecords()
    {
        var text = "{\"user_id\":\"a\"}\n\n  \t\r\n[1]\nbroken\n{\"last\":true}";
        var scanned = new DonationBudget(new DonationLimits());
        var processed = new DonationBudget(new DonationLimits());

        await scanned.ScanAsync(new MemoryStream(Encoding.UTF8.GetBytes(text)), CancellationToken.None);
        var counts = await new JsonLinesPseudonymizer(Rules).ProcessAsync(new MemoryStream(Encoding.UTF8.GetBytes(text)), Stream.Null, processed, CancellationToken.None);

        Assert.Equal(4, scanned.Records);
        Assert.Equal(counts.Records + counts.Malformed, scanned.Records);
        Assert.Equal(processed.Records, scanned.Records);
        Assert.Equal(Encoding.UTF8.GetByteCount(text), scanned.DecompressedBytes);
    }

    [Fact]
    public async Task ScanAsync_EndlessLineWithoutNewline_StopsAtTheLineCap()
    {
        var sut = new DonationBudget(Small);

        var refused = await Assert.ThrowsAsync<DonationLimitException>(() => sut.ScanAsync(new MemoryStream(new byte[5000]), CancellationToken.None));

        Assert.Equal(DonationCap.LineBytes, refused.Cap);
    }

    [Theory]
    [InlineData(100, 1, 1024)]
    [InlineData(10_000, 0, 1024)]
    [InlineData(10_000, 1, 100)]
    [InlineData(10_000, 1, (256 << 20) + 1)]
    public void Constructor_CapOutOfRange_Throws(long bytes, long records, int line)
    {
        Assert.Throws<ArgumentException>(() => new DonationBudget(new DonationLimits { MaximumDecompressedBytes = bytes, MaximumRecords = records, MaximumLineBytes = line }));
    }
}
