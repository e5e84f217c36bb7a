using Ferry.Core.Storage;

namespace Ferry.Storage.S3;

/// <summary>
/// A GET response's body (from the SDK or the direct client) that disposes the response with it. <see cref="Length"/>
/// is the response's Content-Length when the caller passes it; otherwise not supported, as for any forward-only stream.
/// </summary>
internal sealed class ResponseBodyStream(Stream inner, IDisposable response, long? length = null) : ReadOnlyStream
{
    public override long Length => length ?? throw new NotSupportedException();

    public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => inner.ReadAsync(buffer, cancellationToken);

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => inner.ReadAsync(buffer, offset, count, cancellationToken);

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
            response.Dispose();
        }

        base.Dispose(disposing);
    }
}
