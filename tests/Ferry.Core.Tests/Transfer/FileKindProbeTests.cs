using Ferry.Core.Transfer;
using Ferry.Testing;

namespace Ferry.Core.Tests.Transfer;

/// <summary>
/// The one status read behind the source scan: what it says must be what the runtime's FileInfo says. The tests read
/// through <c>ReadStatus</c>, without the once-per-process comparison that would otherwise hide a wrong offset.
/// </summary>
public sealed class FileKindProbeTests : IDisposable
{
    private readonly TempDirectory _root = new("kind-probe");

    public void Dispose() => _root.Dispose();

    [Theory]
    [InlineData(0, 2026, 0)]
    [InlineData(1, 2026, 1)]
    [InlineData(5_000_000, 2026, 9_999_999)]
    [InlineData(10, 1965, 1_234_567)]
    public void ReadStatus_RegularFile_SizeAndTimeAsFileInfoGivesThem(int size, int year, long extraTicks)
    {
        var path = _root.Write("a.bin", TestData.Bytes(size, 3));
        // Whole seconds, one tick past, the last tick of a second, and a time before 1970 (negative Unix seconds).
        File.SetLastWriteTimeUtc(path, new DateTime(year, 5, 1, 8, 0, 0, DateTimeKind.Utc).AddTicks(extraTicks));
        var info = new FileInfo(path);

        var (kind, length, ticks) = FileKindProbe.ReadStatus(path);

        Assert.Equal(FileKind.Regular, kind);
        Assert.Equal(info.Length, length);
        Assert.Equal(info.LastWriteTimeUtc.Ticks, ticks);
    }

    [Fact]
    public void ReadAndReadStatus_FileWrittenNow_TimeAsFileInfoGivesIt()
    {
        // The file system's own time of a fresh write carries nanoseconds, not a value set in whole ticks.
        var path = _root.Write("fresh.txt", [1, 2, 3]);

        var (_, _, ticks) = FileKindProbe.ReadStatus(path);
        var (_, _, checkedTicks) = FileKindProbe.Read(path);

        Assert.Equal(new FileInfo(path).LastWriteTimeUtc.Ticks, ticks);
        Assert.Equal(ticks, checkedTicks);
    }

    [Fact]
    public void Read_FolderLinkAndMissing_KindOnlyWithoutFollowingTheLink()
    {
        var folder = _root.Combine("folder");
        Directory.CreateDirectory(folder);
        var target = _root.Write("target.txt", [1]);
        var link = _root.Combine("link");
        File.CreateSymbolicLink(link, target);

        Assert.Equal((FileKind.Directory, 0L, 0L), FileKindProbe.Read(folder));
        Assert.Equal((FileKind.SymbolicLink, 0L, 0L), FileKindProbe.Read(link));
        Assert.Equal((FileKind.Missing, 0L, 0L), FileKindProbe.Read(_root.Combine("nothing")));
    }
}
