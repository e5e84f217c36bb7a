using System.Diagnostics;
using Ferry.Testing;

namespace Ferry.Cli.Tests.Commands;

/// <summary>
/// One upload per journal, source and destination at a time: two 'ferry upload' processes of the same pair started
/// together: one runs, the other exits 2 naming the first's pid (or waits with --wait); a killed holder leaves no stale lock.
/// S3 PUTs are held at a proxy so the first run is still going while the second starts.
/// </summary>
public sealed class UploadLockTests(S3rverFixture s3rver) : IClassFixture<S3rverFixture>, IDisposable
{
    private readonly TempDirectory _home = new("cli-lock");

    public void Dispose() => _home.Dispose();

    [Fact]
    public async Task Upload_TwoProcessesOfTheSamePairStartedTogether_OneRunsTheOtherExits2NamingItsPid()
    {
        var bucket = await s3rver.Server.CreateBucketAsync("lock");
        var source = Folder("card");
        await using var proxy = await FaultProxy.StartAsync(s3rver.Server.Endpoint);
        proxy.HoldAfter("PutObject", 0);
        var ferry = new FerryProcess(_home.Path);
        string[] args = ["upload", source, $"s3://{bucket}/C1", "--endpoint", proxy.Endpoint, "--quiet"];

        using var a = ferry.Start(args);
        using var b = ferry.Start(args);
        var outputs = new Dictionary<Process, ProcessOutput> { [a] = ProcessOutput.Drain(a), [b] = ProcessOutput.Drain(b) };
        await Task.WhenAny(a.WaitForExitAsync(), b.WaitForExitAsync()).WaitAsync(TimeSpan.FromMinutes(2));
        var loser = a.HasExited ? a : b;
        var winner = loser == a ? b : a;
        await loser.WaitForExitAsync();
        var refused = outputs[loser].Tail;
        var winnerStillRunning = !winner.HasExited;
        proxy.Release();
        await winner.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(2));

        Assert.True(winnerStillRunning, outputs[winner].Tail);
        Assert.True(loser.ExitCode == 2, refused);
        Assert.Contains($"another ferry upload (pid {winner.Id}) is already uploading {source} to s3://{bucket}/C1", refused, StringComparison.Ordinal);
        Assert.Contains("--wait", refused, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", refused, StringComparison.Ordinal);
        Assert.True(winner.ExitCode == 0, outputs[winner].Tail);
        Assert.Equal(10, (await s3rver.Server.ListKeysAsync(bucket)).Count);
    }

    [Fact]
    public async Task Upload_SecondWithWait_WaitsForTheFirstThenFindsEverythingThere_AndAKilledHolderLeavesNoStaleLock()
    {
        var bucket = await s3rver.Server.CreateBucketAsync("lockwait");
        var source = Folder("card-wait");
        await using var proxy = await FaultProxy.StartAsync(s3rver.Server.Endpoint);
        proxy.HoldAfter("PutObject", 0);
        var ferry = new FerryProcess(_home.Path);
        string[] args = ["upload", source, $"s3://{bucket}/C1", "--endpoint", proxy.Endpoint, "--quiet"];

        // A holder killed with SIGKILL: the operating system drops its lock; the next run is not refused.
        using (var killed = ferry.Start(args))
        {
            ProcessOutput.Drain(killed);
            await WaitForAsync(() => proxy.Count("PutObject") > 0);
            killed.Kill(entireProcessTree: true);
            await killed.WaitForExitAsync();
        }

        var countBefore = proxy.Count("PutObject");
        using var first = ferry.Start(args);
        var firstOutput = ProcessOutput.Drain(first);
        await WaitForAsync(() => proxy.Count("PutObject") > countBefore); // the first holds the lock and is sending
        using var second = ferry.Start([.. args, "--wait"]);
        var secondOutput = ProcessOutput.Drain(second);
        await WaitForAsync(() => secondOutput.Tail.Contains("waiting for", StringComparison.Ordinal));
        var secondExitedEarly = second.HasExited;
        proxy.Release();
        await first.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(2));
        await second.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(2));

        Assert.False(secondExitedEarly);
        Assert.Contains($"waiting for another ferry upload (pid {first.Id})", secondOutput.Tail, StringComparison.Ordinal);
        Assert.True(first.ExitCode == 0, firstOutput.Tail);
        Assert.True(second.ExitCode == 0, secondOutput.Tail);
        Assert.Contains("0 uploaded", secondOutput.Tail, StringComparison.Ordinal);
        Assert.Equal(10, (await s3rver.Server.ListKeysAsync(bucket)).Count);
    }

    private static async Task WaitForAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddMinutes(1);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "timed out waiting");
            await Task.Delay(20);
        }
    }

    private string Folder(string name)
    {
        var folder = Directory.CreateDirectory(_home.Combine(name)).FullName;
        for (var i = 0; i < 10; i++)
        {
            File.WriteAllBytes(Path.Combine(folder, $"2026010{i}_000000.WAV"), TestData.Bytes(500 + i, i));
        }

        return folder;
    }
}
