using Xunit;

namespace Ferry.Testing;

/// <summary>One s3rver per test class (xunit class fixture); tests isolate themselves with their own buckets.</summary>
public sealed class S3rverFixture : IAsyncLifetime
{
    private S3rverServer? _server;

    public S3rverServer Server => _server ?? throw new InvalidOperationException("s3rver not started");

    public async Task InitializeAsync() => _server = await S3rverServer.StartAsync().ConfigureAwait(false);

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync().ConfigureAwait(false);
        }
    }
}
