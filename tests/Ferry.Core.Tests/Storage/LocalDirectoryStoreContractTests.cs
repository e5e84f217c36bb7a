using Ferry.Core.Storage;
using Ferry.Testing;

namespace Ferry.Core.Tests.Storage;

public sealed class LocalDirectoryStoreContractTests : ObjectStoreContractTests, IDisposable
{
    private readonly TempDirectory _root = new("local-store");

    protected override Task<IObjectStore> CreateStoreAsync() =>
        Task.FromResult<IObjectStore>(new LocalDirectoryStore(_root.Combine(Guid.NewGuid().ToString("N"))));

    public void Dispose() => _root.Dispose();
}
