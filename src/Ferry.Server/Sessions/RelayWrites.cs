using System.Buffers;
using System.Security.Cryptography;
using Ferry.Core.Storage;
using Polly;

namespace Ferry.Server.Sessions;

/// <summary>
/// The writes to S3 of one relay batch (<see cref="SessionRelayService"/>): each file's bytes are read whole from its
/// form field (its registered size; one byte more fails the file), hashed, and written while the next file is read,
/// at most <c>inFlight</c> at once and within the process's slots (<see cref="RelayLimiter.Writes"/>), each holding one
/// pooled buffer of the file's size. A write that fails transiently or is throttled is retried (3 times, backing off;
/// <see cref="Ferry.Core.Transfer.RetryPolicy"/>). Per file it keeps what the server received (MD5, SHA-256), what S3
/// answered, or why the file was not written.
/// </summary>
internal sealed class RelayWrites(IObjectStore store, int count, int inFlight, SemaphoreSlim processSlots, ILogger logger) : IDisposable
{
    private static readonly ResiliencePipeline Retry = Ferry.Core.Transfer.RetryPolicy.Create(3, TimeSpan.FromMilliseconds(200), onRetry: null);
    private readonly SemaphoreSlim _slots = new(inFlight);
    private readonly List<Task> _running = [];
    private int _failures;
    private string? _lastFailure;

    /// <summary>The MD5 of the bytes received, lower-case hex; null when the file was not read whole.</summary>
    public string?[] Md5 { get; } = new string?[count];

    /// <summary>The SHA-256 of the bytes received, lower-case hex; null when the file was not read whole.</summary>
    public string?[] Sha256 { get; } = new string?[count];

    /// <summary>The object as S3's answer to the write describes it; null when it was not written.</summary>
    public StoredObject?[] Stored { get; } = new StoredObject?[count];

    /// <summary>Why the file was not written; null when it was (or is being) written.</summary>
    public string?[] Problems { get; } = new string?[count];

    /// <summary>Reads file <paramref name="index"/>'s bytes from its field and starts its write, or records why not.</summary>
    public async Task StartAsync(int index, RelayBatchFile file, Stream field, CancellationToken cancellationToken)
    {
        await _slots.WaitAsync(cancellationToken);
        try
        {
            await processSlots.WaitAsync(cancellationToken);
        }
        catch
        {
            _slots.Release();
            throw;
        }

        var size = (int)file.File.Size;
        var buffer = ArrayPool<byte>.Shared.Rent(size);
        try
        {
            var read = await field.ReadAtLeastAsync(buffer.AsMemory(0, size), size, throwOnEndOfStream: false, cancellationToken);
            var more = new byte[1];
            if (read != size || await field.ReadAsync(more, cancellationToken) > 0)
            {
                Problems[index] = read == size
                    ? $"the server received more bytes than the {size:N0} the file was registered with"
                    : $"the server received {read:N0} bytes but the file was registered with {size:N0}";
                Release(buffer);
                return;
            }

            var bytes = buffer.AsSpan(0, size);
            var md5 = MD5.HashData(bytes);
            Md5[index] = Convert.ToHexStringLower(md5);
            Sha256[index] = Convert.ToHexStringLower(SHA256.HashData(bytes));
            if (file.Sha256 is { } sent && sent != Sha256[index])
            {
                Problems[index] = "the bytes the server received differ from the file's SHA-256";
                Release(buffer);
                return;
            }

            _running.Add(WriteAsync(index, file.File.Key, buffer, size, new ObjectWriteOptions(Sha256[index], Convert.ToBase64String(md5)), cancellationToken));
        }
        catch
        {
            Release(buffer);
            throw;
        }
    }

    /// <summary>Waits for every write started, whatever the request's outcome, so that no buffer goes back to the pool in use.</summary>
    public async Task DrainAsync()
    {
        try
        {
            await Task.WhenAll(_running);
        }
        catch (OperationCanceledException)
        {
            // The request was abandoned; its files stay pending.
        }
    }

    /// <summary>Logs the writes S3 failed or refused, once per batch, with the last reason (S3's own text stays in the log).</summary>
    public void LogFailures(long sessionId)
    {
        if (_lastFailure is { } reason)
        {
            logger.LogWarning("Session {SessionId}: {Failures} relayed write(s) to storage failed: {Reason}", sessionId, _failures, reason);
        }
    }

    private async Task WriteAsync(int index, string key, byte[] buffer, int size, ObjectWriteOptions options, CancellationToken cancellationToken)
    {
        var succeeded = false;
        try
        {
            Stored[index] = await Retry.ExecuteAsync(async token =>
            {
                using var content = new MemoryStream(buffer, 0, size, writable: false);
                return await store.PutAsync(key, content, size, options, token);
            }, cancellationToken);
            succeeded = true;
        }
        catch (StoreException ex)
        {
            Problems[index] = ex.IsTransient
                ? "the write to storage failed for now; upload the file again"
                : "the storage service refused the write; the detail is in the server log";
            Interlocked.Increment(ref _failures);
            _lastFailure = ex.Message;
        }
        finally
        {
            // A write that failed may still be sending from the buffer as its connection is torn down: such a buffer is
            // left to the garbage collector, not given back to the pool for another file.
            Release(succeeded ? buffer : null);
        }
    }

    public void Dispose() => _slots.Dispose();

    private void Release(byte[]? buffer)
    {
        if (buffer is not null)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        processSlots.Release();
        _slots.Release();
    }
}
