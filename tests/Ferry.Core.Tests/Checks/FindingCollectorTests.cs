using Ferry.Core.Checks;

namespace Ferry.Core.Tests.Checks;

public sealed class FindingCollectorTests
{
    [Fact]
    public void Add_WithKeep_KeepsTheFirstInReportOrderAndCountsAll()
    {
        var sut = new FindingCollector(2, FolderOf);
        foreach (var path in new[] { "d.WAV", "b.WAV", "e.WAV", "a.WAV", "c.WAV" })
        {
            sut.Add(new CheckFinding(path, CheckProblem.Empty, "empty"));
        }

        Assert.Equal(5, sut.Count);
        Assert.Equal(["a.WAV", "b.WAV"], sut.Ordered().Select(f => f.Path));
    }

    [Fact]
    public void Add_WithoutKeep_KeepsEveryFindingInReportOrder()
    {
        var sut = new FindingCollector(null, FolderOf);
        sut.Add(new CheckFinding("b.WAV", CheckProblem.Empty, "empty"));
        sut.Add(new CheckFinding("a.WAV", CheckProblem.Empty, "second"));
        sut.Add(new CheckFinding("a.WAV", CheckProblem.Empty, "first"));

        Assert.Equal(3, sut.Count);
        Assert.Equal(["a.WAV:first", "a.WAV:second", "b.WAV:empty"], sut.Ordered().Select(f => f.Path + ":" + f.Message));
    }

    [Fact]
    public void CountsByFolder_WithKeep_CountsEveryFindingUnderItsFolder()
    {
        var sut = new FindingCollector(1, FolderOf);
        foreach (var path in new[] { "SN1/a.JPG", "SN1/b.JPG", "SN2/c.WAV", "top.txt" })
        {
            sut.Add(new CheckFinding(path, CheckProblem.Empty, "empty"));
        }

        Assert.Equal(new Dictionary<string, long> { ["SN1"] = 2, ["SN2"] = 1, ["."] = 1 }, sut.CountsByFolder());
    }

    private static string FolderOf(string path) => path.Contains('/', StringComparison.Ordinal) ? path[..path.LastIndexOf('/')] : ".";
}
