using Ferry.Core.Storage;
using Ferry.Core.Transfer;

namespace Ferry.Core.Tests.Transfer;

public sealed class DestinationCursorTests
{
    [Fact]
    public async Task FindAsync_KeysInScanOrder_FindsTheListedOnesAndMissesTheRest()
    {
        var listed = new[] { "p/top", "p/a/1", "p/a/3", "p/a/sub/x", "p/b/1" };
        await using var cursor = new DestinationCursor(Objects(listed));

        var found = new List<string>();
        foreach (var key in new[] { "p/a/1", "p/a/2", "p/a/3", "p/a/sub/x", "p/a-z/1", "p/b/1", "p/c/1" })
        {
            if (await cursor.FindAsync(key, CancellationToken.None) is { } stored)
            {
                found.Add(stored.Key);
            }
        }

        Assert.Equal(["p/a/1", "p/a/3", "p/a/sub/x", "p/b/1"], found);
    }

    [Fact]
    public async Task FindAsync_KeyBeforeOneAlreadyAskedFor_NotListed()
    {
        await using var cursor = new DestinationCursor(Objects(["a/1", "a/2"]));
        Assert.NotNull(await cursor.FindAsync("a/2", CancellationToken.None));

        var again = await cursor.FindAsync("a/1", CancellationToken.None);

        Assert.Null(again);
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
