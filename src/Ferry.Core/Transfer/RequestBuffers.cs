using System.Buffers;

namespace Ferry.Core.Transfer;

/// <summary>
/// The arrays that hold request bodies during one run. Small bodies (≤ 1 MiB) come from the shared
/// pool; larger ones (parts, files up to the multipart threshold) from a pool private to the run
/// that keeps no more arrays per size than the memory budget can hold at once, and is dropped with
/// the run, so idle buffers never outgrow the budget (the shared pool keeps large arrays per thread).
/// </summary>
public sealed class RequestBuffers
{
    private const int SmallLimit = 1024 * 1024;

    private readonly ArrayPool<byte> _large;

    public RequestBuffers(UploadOptions options)
    {
        var largest = (int)Math.Min(Array.MaxLength, Math.Max(options.PartSize, options.MultipartThreshold));
        var perBucket = (int)Math.Clamp(options.MemoryBudget / Math.Max(options.PartSize, 1), 1, 64);
        _large = ArrayPool<byte>.Create(largest, perBucket);
    }

    /// <summary>An array of at least <paramref name="length"/> bytes (at least 1).</summary>
    public byte[] Rent(int length) => length <= SmallLimit ? ArrayPool<byte>.Shared.Rent(Math.Max(length, 1)) : _large.Rent(length);

    public void Return(byte[] buffer)
    {
        if (buffer.Length <= SmallLimit)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
        else
        {
            _large.Return(buffer);
        }
    }
}
