using Ferry.Core.Storage;
using Ferry.Core.Transfer;

namespace Ferry.Core.Tests.Transfer;

public sealed class DestinationCursorTests
{
    [Fact]
    public async Task FindAsync_KeysInScanOrder_FindsTheListedOnesAndMissesTheRest()
    {
        var listed = new[] { "p/top", "p/a/1", "p/a/3", "p/a/sub/x", "p/b/1" };
        await using var sut = new DestinationCursor(Objects(listed), CancellationToken.None);

        var found = new List<string>();
        foreach (var key in new[] { "p/a/1", "p/a/2", "p/a/3", "p/a/sub/x", "p/a-z/1", "p/b/1", "p/c/1" })
        {
            if (await sut.FindAsync(key) is { } stored)
            {
                found.Add(stored.Key);
            }
        }

        Assert.Equal(["p/a/1", "p/a/3", "p/a/sub/x", "p/b/1"], found);
    }

    [Fact]
    public async Task FindAsync_KeyBeforeOneAlreadyAskedFor_ReturnsNullThoughListed()
    {
        await using var sut = new DestinationCursor(Objects(["a/1", "a/2"]), CancellationToken.None);
        Assert.NotNull(await sut.FindAsync("a/2"));

        var earlier = await sut.FindAsync("a/1");

        Assert.Null(earlier);
    }

    [Fact]
    public async Task FindAsync_ListingGoesBackwards_NothingAfterItIsTrustedAsListed()
    {
        await using var sut = new DestinationCursor(Objects(["a/1", "a/3", "a/2", "a/4"]), CancellationToken.None);
        Assert.NotNull(await sut.FindAsync("a/1"));

        var afterTheDisorder = await sut.FindAsync("a/4");

        Assert.Null(afterTheDisorder);
    }

    private static async IAsyncEnumerable<StoredObject> Objects(IEnumerable<string> keys)
    {
        foreach (var key in keys)
        {
            await Task.Yield();
            yield return new StoredObject(key, 1, "e", DateTimeOffset.UnixEpoch);
        }
    }
}
