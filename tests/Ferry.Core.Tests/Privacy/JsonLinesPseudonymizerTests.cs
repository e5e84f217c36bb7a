using System.Text;
using System.Text.Json.Nodes;
using Ferry.Core.Privacy;

namespace Ferry.Core.Tests.Privacy;

[Collection(MemoryMeasurement.Name)]
public sealed class JsonLinesPseudonymizerTests
{
    private static readonly Pseudonymizer Sut = new(new PseudonymizationRules { Study = "s", Pseudonymize = ["user_id"], Drop = ["email"] }, PseudonymKey.Generate());

    [Fact]
    public async Task ProcessAsync_MalformedLines_CountedAndNeverPassedThrough()
    {
        var input = string.Join('\n',
            """{"user_id":"alice","email":"alice@example.org","n":1}""",
            """{"user_id":"bob", broken json with bob@example.org""",
            """["alice","not an object"]""",
            "",
            """  {"user_id":"carol","n":3}  """ + "\r",
            """{"user_id":"dave","n":4}""");
        using var output = new MemoryStream();

        var counts = await new JsonLinesPseudonymizer(Sut).ProcessAsync(new MemoryStream(Encoding.UTF8.GetBytes(input)), output, CancellationToken.None);

        var lines = Encoding.UTF8.GetString(output.ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(new PseudonymizationCounts(3, 2, 1), counts);
        Assert.Equal(3, lines.Length);
        Assert.All(lines, l => Assert.IsType<JsonObject>(JsonNode.Parse(l)));
        var all = string.Join('\n', lines);
        foreach (var secret in new[] { "alice", "bob", "carol", "dave", "example.org" })
        {
            Assert.DoesNotContain(secret, all, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task ProcessAsync_LineLongerThanTheLimit_MalformedAndSkippedToTheNextLine()
    {
        var huge = "{\"user_id\":\"alice\",\"blob\":\"" + new string('x', JsonLinesPseudonymizer.MaximumLineBytes) + "\"}";
        var input = huge + "\n" + """{"user_id":"bob"}""" + "\n";
        using var output = new MemoryStream();

        var counts = await new JsonLinesPseudonymizer(Sut).ProcessAsync(new MemoryStream(Encoding.UTF8.GetBytes(input)), output, CancellationToken.None);

        Assert.Equal(new PseudonymizationCounts(1, 1, 0), counts);
        Assert.DoesNotContain("alice", Encoding.UTF8.GetString(output.ToArray()), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ProcessAsync_OneGibibyteOfRecords_ManagedMemoryStaysFlat()
    {
        var source = new GeneratedJsonLines(1L << 30);
        var sink = new CountingSink();

        var counts = await new JsonLinesPseudonymizer(Sut).ProcessAsync(source, sink, CancellationToken.None);

        Assert.Equal(source.Lines, counts.Records);
        Assert.True(sink.Bytes > 500_000_000, $"wrote only {sink.Bytes} bytes");
        Assert.True(source.PeakLiveBytes < 64L * 1024 * 1024, $"live managed memory reached {source.PeakLiveBytes / 1048576} MiB while processing 1 GiB");
        Assert.True(source.LastLiveBytes - source.FirstLiveBytes < 16L * 1024 * 1024, $"live memory grew from {source.FirstLiveBytes / 1048576} to {source.LastLiveBytes / 1048576} MiB");
    }

    /// <summary>JSON Lines made on the fly (nothing held), measuring live managed memory (after a full collection) every 64 MiB.</summary>
    private sealed class GeneratedJsonLines(long total) : Stream
    {
        private byte[] _pending = [];
        private int _offset;
        private long _produced;
        private long _nextSample;

        public long Lines { get; private set; }

        public long PeakLiveBytes { get; private set; }

        public long FirstLiveBytes { get; private set; } = -1;

        public long LastLiveBytes { get; private set; }

        public override int Read(byte[] buffer, int offset, int count)
        {
            if (_offset == _pending.Length)
            {
                if (_produced >= total)
                {
                    return 0;
                }

                var block = new StringBuilder(1 << 20);
                while (block.Length < 1 << 20)
                {
                    block.Append("{\"user_id\":\"user-").Append(Lines % 5000).Append("\",\"email\":\"u@example.org\",\"step\":").Append(Lines)
                        .Append(",\"obs\":[0.1,0.2,0.3,0.4],\"text\":\"").Append('a', 120).Append("\"}\n");
                    Lines++;
                }

                _pending = Encoding.UTF8.GetBytes(block.ToString());
                _offset = 0;
                _produced += _pending.Length;
                if (_produced >= _nextSample)
                {
                    LastLiveBytes = GC.GetTotalMemory(forceFullCollection: true);
                    FirstLiveBytes = FirstLiveBytes < 0 ? LastLiveBytes : FirstLiveBytes;
                    PeakLiveBytes = Math.Max(PeakLiveBytes, LastLiveBytes);
                    _nextSample += 64L << 20;
                }
            }

            var n = Math.Min(count, _pending.Length - _offset);
            Array.Copy(_pending, _offset, buffer, offset, n);
            _offset += n;
            return n;
        }

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => _produced; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    private sealed class CountingSink : Stream
    {
        public long Bytes { get; private set; }

        public override void Write(byte[] buffer, int offset, int count) => Bytes += count;
        public override void Write(ReadOnlySpan<byte> buffer) => Bytes += buffer.Length;
        public override void WriteByte(byte value) => Bytes++;
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => Bytes;
        public override long Position { get => Bytes; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
    }
}

/// <summary>Tests that measure the process's memory run alone, not beside other test classes.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MemoryMeasurement
{
    public const string Name = "memory measurement";
}
