using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.Metadata;

namespace Ferry.Server.Api;

/// <summary>
/// Per-route request body limits: a route marked with <see cref="WithBodyLimit"/> refuses a larger body with 413 and a
/// problem document naming the limit — at once when Content-Length says so, else as soon as the bytes read pass it.
/// Kestrel is given the same limit (through <see cref="IRequestSizeLimitMetadata"/>); this middleware also covers hosts
/// that do not enforce it.
/// </summary>
internal static class RequestBodyLimits
{
    /// <summary>Request body allowance per list item: a path of up to 1,024 UTF-8 bytes, escaped as JSON, with its fields.</summary>
    public const long BytesPerItem = 4096;

    /// <summary>Allowance for everything around the list.</summary>
    public const long Overhead = 16 * 1024;

    /// <summary>The body limit for a list of up to <paramref name="items"/> items of <paramref name="bytesPerItem"/> bytes.</summary>
    public static long ForList(int items, long bytesPerItem = BytesPerItem) => items * bytesPerItem + Overhead;

    public static RouteHandlerBuilder WithBodyLimit(this RouteHandlerBuilder builder, long bytes) => builder.WithMetadata(new BodyLimit(bytes));

    public static IApplicationBuilder UseRequestBodyLimits(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        if (context.GetEndpoint()?.Metadata.GetMetadata<BodyLimit>() is not { } limit)
        {
            await next(context);
            return;
        }

        if (context.Request.ContentLength > limit.Bytes)
        {
            await TooLargeAsync(context, limit.Bytes);
            return;
        }

        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } feature)
        {
            feature.MaxRequestBodySize = limit.Bytes;
        }

        var body = new LimitedStream(context.Request.Body, limit.Bytes);
        context.Request.Body = body;
        try
        {
            await next(context);
        }
        catch (Exception) when (body.Exceeded && !context.Response.HasStarted)
        {
            await TooLargeAsync(context, limit.Bytes);
            return;
        }

        if (body.Exceeded && !context.Response.HasStarted)
        {
            await TooLargeAsync(context, limit.Bytes);
        }
    });

    private static Task TooLargeAsync(HttpContext context, long limit)
    {
        context.Response.Clear();
        return TypedResults.Problem($"the request body is larger than {limit:N0} bytes, the most this call accepts; send fewer items per call",
            statusCode: StatusCodes.Status413PayloadTooLarge, title: "Request too large").ExecuteAsync(context);
    }

    /// <summary>The body limit of a route, in bytes; also seen by Kestrel as its request size limit.</summary>
    internal sealed class BodyLimit(long bytes) : IRequestSizeLimitMetadata
    {
        public long Bytes => bytes;

        public long? MaxRequestBodySize => bytes;
    }

    /// <summary>Reads through to the request body and throws 413 once more than the limit has been read.</summary>
    private sealed class LimitedStream(Stream inner, long limit) : Stream
    {
        private long _read;

        public bool Exceeded { get; private set; }

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => _read; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Count(Guard(() => inner.Read(buffer, offset, count)));

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            try
            {
                return Count(await inner.ReadAsync(buffer, cancellationToken));
            }
            catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
            {
                Exceeded = true;
                throw;
            }
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        private int Guard(Func<int> read)
        {
            try
            {
                return read();
            }
            catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
            {
                Exceeded = true;
                throw;
            }
        }

        private int Count(int read)
        {
            _read += read;
            if (_read > limit)
            {
                Exceeded = true;
                throw new BadHttpRequestException($"the request body is larger than {limit:N0} bytes", StatusCodes.Status413PayloadTooLarge);
            }

            return read;
        }
    }
}
