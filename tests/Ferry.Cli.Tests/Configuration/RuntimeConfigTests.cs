using System.Text.Json.Nodes;

namespace Ferry.Cli.Tests.Configuration;

/// <summary>
/// The runtime settings the ferry binary ships with (ferry.runtimeconfig.json, as built beside the tests and published),
/// which docs/architecture.md and docs/benchmarks.md describe: they apply to every command and to ferry serve.
/// </summary>
public sealed class RuntimeConfigTests
{
    [Fact]
    public void ShippedRuntimeConfig_IdleThreadPoolWorkersSleep_TierOneOnlyAfterAThousandCalls_WorkstationGcWithoutConcurrency()
    {
        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "ferry.runtimeconfig.json")))!;
        var properties = config["runtimeOptions"]!["configProperties"]!;

        Assert.Equal(0, properties["System.Threading.ThreadPool.UnfairSemaphoreSpinLimit"]!.GetValue<int>());
        Assert.Equal(1000, properties["System.Runtime.TieredCompilation.CallCountThreshold"]!.GetValue<int>());
        Assert.False(properties["System.GC.Server"]!.GetValue<bool>());
        Assert.False(properties["System.GC.Concurrent"]!.GetValue<bool>());
        Assert.True(properties["System.IO.DisableFileLocking"]!.GetValue<bool>());
    }
}
