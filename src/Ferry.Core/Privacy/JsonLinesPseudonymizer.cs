using System.Buffers;
using System.IO.Compression;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Ferry.Core.Privacy;

/// <summary>
/// Streams JSON Lines through a <see cref="Pseudonymizer"/> in constant memory: one line at a time, each line at most
/// <see cref="MaximumLineBytes"/>. A line that is not a JSON object (broken JSON, an array, a line too long, invalid
/// UTF-8) is counted as malformed and left out — never copied through un-pseudonymized. With a
/// <see cref="DonationBudget"/>, its caps apply instead: bytes, records and line length are counted as they stream and
/// the first one passed throws <see cref="DonationLimitException"/> (a line over the cap refuses the donation).
/// </summary>
public sealed class JsonLinesPseudonymizer(Pseudonymizer pseudonymizer)
{
    public const int MaximumLineBytes = 16 * 1024 * 1024;

    /// <summary>The free-text scrubber's hits per detector over every stream this instance processed (one instance per donation; not thread-safe).</summary>
    public ScrubCounts Scrubbed { get; } = new();

    private static readonly JsonWriterOptions Compact = new() { Indented = false, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>A gzip file (<c>.jsonl.gz</c>) into another; the output is flushed to disk before it returns.</summary>
    public Task<PseudonymizationCounts> ProcessFileAsync(string inputPath, string outputPath, CancellationToken cancellationToken) =>
        ProcessFileAsync(inputPath, outputPath, budget: null, cancellationToken);

    /// <summary>As <see cref="ProcessFileAsync(string, string, CancellationToken)"/>, counting against <paramref name="budget"/> when given.</summary>
    public async Task<PseudonymizationCounts> ProcessFileAsync(string inputPath, string outputPath, DonationBudget? budget, CancellationToken cancellationToken)
    {
        var input = new FileStream(inputPath, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan | FileOptions.Asynchronous);
        await using var inputDisposal = input.ConfigureAwait(false);
        var output = new FileStream(outputPath, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous);
        await using var outputDisposal = output.ConfigureAwait(false);
        PseudonymizationCounts counts;
        try
        {
            var unzip = new GZipStream(input, CompressionMode.Decompress);
            await using var unzipDisposal = unzip.ConfigureAwait(false);
            var zip = new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true);
            await using (zip.ConfigureAwait(false))
            {
                counts = await ProcessAsync(unzip, zip, budget, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (InvalidDataException ex)
        {
            throw new PrivacyException($"{inputPath} is not a complete gzip file ({ex.Message}); nothing of it was donated");
        }

        output.Flush(flushToDisk: true);
        return counts;
    }

    /// <summary>Reads JSON Lines from <paramref name="input"/> and writes the pseudonymized records to <paramref name="output"/>.</summary>
    public Task<PseudonymizationCounts> ProcessAsync(Stream input, Stream output, CancellationToken cancellationToken) =>
        ProcessAsync(input, output, budget: null, cancellationToken);

    /// <summary>As <see cref="ProcessAsync(Stream, Stream, CancellationToken)"/>, counting against <paramref name="budget"/> when given.</summary>
    public async Task<PseudonymizationCounts> ProcessAsync(Stream input, Stream output, DonationBudget? budget, CancellationToken cancellationToken)
    {
        var maximumLine = budget?.Limits.MaximumLineBytes ?? MaximumLineBytes;
        long records = 0, malformed = 0, blank = 0;
        var line = new ArrayBufferWriter<byte>(64 * 1024);
        var tooLong = false;
        var buffer = ArrayPool<byte>.Shared.Rent(1 << 16);
        // Records are written to a buffer, which goes to the output in large writes with a newline after each record.
        var pending = new ArrayBufferWriter<byte>(1 << 17);
        var writer = new Utf8JsonWriter(pending, Compact);
        await using var writerDisposal = writer.ConfigureAwait(false);
        try
        {
            int read;
            while ((read = await input.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
            {
                budget?.AddBytes(read);
                var span = buffer.AsMemory(0, read);
                while (span.Length > 0)
                {
                    var newline = span.Span.IndexOf((byte)'\n');
                    var chunk = newline < 0 ? span : span[..newline];
                    if (!tooLong)
                    {
                        if (line.WrittenCount + chunk.Length > maximumLine)
                        {
                            budget?.CheckLine(line.WrittenCount + chunk.Length);
                            tooLong = true;
                            line.Clear();
                        }
                        else
                        {
                            line.Write(chunk.Span);
                        }
                    }

                    if (newline < 0)
                    {
                        break;
                    }

                    EndLine();
                    span = span[(newline + 1)..];
                    if (pending.WrittenCount > 1 << 16)
                    {
                        await output.WriteAsync(pending.WrittenMemory, cancellationToken).ConfigureAwait(false);
                        pending.Clear();
                    }
                }
            }

            if (line.WrittenCount > 0 || tooLong)
            {
                EndLine();
            }

            await output.WriteAsync(pending.WrittenMemory, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        return new PseudonymizationCounts(records, malformed, blank);

        void EndLine()
        {
            if (tooLong)
            {
                budget?.AddRecord();
                malformed++;
            }
            else
            {
                var bytes = line.WrittenSpan.TrimEnd((byte)'\r');
                if (bytes.Trim(" \t"u8).Length == 0)
                {
                    blank++;
                    line.Clear();
                    return;
                }

                budget?.AddRecord();
                if (Parse(bytes) is { } record)
                {
                    pseudonymizer.Apply(record, Scrubbed);
                    record.WriteTo(writer);
                    writer.Flush();
                    pending.Write("\n"u8);
                    writer.Reset(pending);
                    records++;
                }
                else
                {
                    malformed++;
                }
            }

            line.Clear();
            tooLong = false;
        }
    }

    private static JsonObject? Parse(ReadOnlySpan<byte> bytes)
    {
        try
        {
            return JsonNode.Parse(bytes) as JsonObject;
        }
        catch (JsonException)
        {
            return null;
        }
        catch (ArgumentException)
        {
            return null; // invalid UTF-8
        }
    }
}
