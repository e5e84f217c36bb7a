using System.Buffers;
using System.Security.Cryptography;
using System.Threading.Channels;
using Microsoft.Win32.SafeHandles;

namespace Ferry.Core.Transfer;

/// <summary>
/// Hashes a file assembled from chunks that finish in any order, while the others still download: each
/// finished chunk is reported with <see cref="Completed"/>, and a background task reads the longest
/// finished run from the start of the file (from the page cache, just written) into SHA-256 (and MD5
/// when asked). When the last chunk is in, little or nothing is left to hash, instead of a second pass
/// over the whole file after the download.
/// </summary>
internal sealed class OrderedChunkHasher : IDisposable
{
    private const int ReadSize = 1024 * 1024;

    private readonly SafeFileHandle _file;
    private readonly long _size;
    private readonly long _chunkSize;
    private readonly IncrementalHash _sha256 = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private readonly IncrementalHash? _md5;
    private readonly Channel<long> _finished = Channel.CreateUnbounded<long>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Task _hashing;

    /// <param name="alreadyDone">Chunks on disk before this run (a resumed download).</param>
    public OrderedChunkHasher(string path, long size, long chunkSize, bool withMd5, IEnumerable<long> alreadyDone, CancellationToken cancellationToken)
    {
        _file = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, FileOptions.SequentialScan);
        _size = size;
        _chunkSize = chunkSize;
        _md5 = withMd5 ? IncrementalHash.CreateHash(HashAlgorithmName.MD5) : null;
        foreach (var chunk in alreadyDone)
        {
            _finished.Writer.TryWrite(chunk);
        }

        _hashing = Task.Run(() => HashInOrderAsync(cancellationToken), CancellationToken.None);
    }

    private long Chunks => (_size + _chunkSize - 1) / _chunkSize;

    /// <summary>Chunk <paramref name="chunk"/> is fully written.</summary>
    public void Completed(long chunk) => _finished.Writer.TryWrite(chunk);

    /// <summary>Waits until every chunk is hashed; call only after every chunk was reported.</summary>
    public async Task<(string Sha256, string Md5)> FinishAsync()
    {
        _finished.Writer.TryComplete();
        await _hashing.ConfigureAwait(false);
        return (Convert.ToHexStringLower(_sha256.GetHashAndReset()), _md5 is null ? "" : Convert.ToHexStringLower(_md5.GetHashAndReset()));
    }

    public void Dispose()
    {
        _finished.Writer.TryComplete();
        _file.Dispose();
        _sha256.Dispose();
        _md5?.Dispose();
    }

    private async Task HashInOrderAsync(CancellationToken cancellationToken)
    {
        var waiting = new HashSet<long>();
        long next = 0;
        var buffer = ArrayPool<byte>.Shared.Rent(ReadSize);
        try
        {
            await foreach (var chunk in _finished.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                waiting.Add(chunk);
                while (waiting.Remove(next))
                {
                    await HashChunkAsync(next, buffer, cancellationToken).ConfigureAwait(false);
                    next++;
                }
            }

            if (next != Chunks)
            {
                throw new InvalidOperationException($"hashed {next} of {Chunks} chunks: not every chunk was reported");
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private async Task HashChunkAsync(long chunk, byte[] buffer, CancellationToken cancellationToken)
    {
        var position = chunk * _chunkSize;
        var end = Math.Min(_size, position + _chunkSize);
        while (position < end)
        {
            var n = await RandomAccess.ReadAsync(_file, buffer.AsMemory(0, (int)Math.Min(ReadSize, end - position)), position, cancellationToken).ConfigureAwait(false);
            if (n == 0)
            {
                throw new IOException($"the file ended at {position} of {_size} bytes while it was hashed");
            }

            _sha256.AppendData(buffer, 0, n);
            _md5?.AppendData(buffer, 0, n);
            position += n;
        }
    }
}
