using System.Text.Json.Nodes;

namespace Ferry.Cli.Tests.Configuration;

/// <summary>
/// The runtime settings the ferry binary ships with (ferry.runtimeconfig.json, as built beside the tests and published),
/// which docs/architecture.md and docs/benchmarks.md describe: they apply to every command and to ferry serve.
/// </summary>
public sealed class RuntimeConfigTests
{
    [Fact]
    public void ShippedRuntimeConfig_FullBuild_HasTheSettingsOfRuntimeOptionsPropsAndTheTierOneThreshold()
    {
        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "ferry.runtimeconfig.json")))!;
        var properties = config["runtimeOptions"]!["configProperties"]!;

        Assert.Equal(0, properties["System.Threading.ThreadPool.UnfairSemaphoreSpinLimit"]!.GetValue<int>());
        Assert.Equal(1000, properties["System.Runtime.TieredCompilation.CallCountThreshold"]!.GetValue<int>());
        Assert.False(properties["System.GC.Server"]!.GetValue<bool>());
        Assert.False(properties["System.GC.Concurrent"]!.GetValue<bool>());
        Assert.True(properties["System.IO.DisableFileLocking"]!.GetValue<bool>());
        Assert.Equal(4 * 1024 * 1024, properties["System.GC.Gen0MaxBudget"]!.GetValue<int>());
    }

    /// <summary>
    /// The native build's settings (src/Ferry.Cli.Native, its runtimeconfig as built; Native AOT compiles these properties
    /// into the binary): the same spin limit, GC and file locking, and no reflection-based JSON.
    /// </summary>
    [Fact]
    public void NativeBuildRuntimeConfig_SameThreadPoolGcAndFileLocking_NoReflectionJson()
    {
        var file = Path.Combine(Path.GetDirectoryName(Ferry.Testing.RepositoryPaths.NativeFerryDll)!, "ferry.runtimeconfig.json");
        var properties = JsonNode.Parse(File.ReadAllText(file))!["runtimeOptions"]!["configProperties"]!;

        Assert.Equal(0, properties["System.Threading.ThreadPool.UnfairSemaphoreSpinLimit"]!.GetValue<int>());
        Assert.False(properties["System.GC.Server"]!.GetValue<bool>());
        Assert.False(properties["System.GC.Concurrent"]!.GetValue<bool>());
        Assert.True(properties["System.IO.DisableFileLocking"]!.GetValue<bool>());
        Assert.Equal(4 * 1024 * 1024, properties["System.GC.Gen0MaxBudget"]!.GetValue<int>());
        Assert.False(properties["System.Text.Json.JsonSerializer.IsReflectionEnabledByDefault"]!.GetValue<bool>());
    }
}
