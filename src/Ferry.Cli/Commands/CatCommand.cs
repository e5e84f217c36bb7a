using System.CommandLine;
using System.IO.Compression;
using System.Security.Cryptography;
using Ferry.Cli.Stores;
using Ferry.Core.Storage;

namespace Ferry.Cli.Commands;

/// <summary>
/// <c>ferry cat s3://BUCKET/KEY</c>: streams one object to standard output (with <c>--gunzip</c>,
/// decompressed), for pipes. The bytes are hashed as they pass; when they do not match the object's
/// SHA-256 metadata (or MD5 ETag) the command says so and exits 1, so a pipeline can tell.
/// </summary>
internal sealed class CatCommand
{
    private readonly Argument<string> _object = new("object") { Description = "s3://BUCKET/KEY (or a local file path)" };
    private readonly S3Options _s3 = new();
    private readonly Option<bool> _gunzip = new("--gunzip", "-z") { Description = "Decompress gzip on the fly" };

    public Command Build()
    {
        var command = new Command("cat", "Stream one object to standard output.\n\nExit codes:\n  0  streamed and verified\n  1  the bytes did not match the object's checksum, or the stream failed\n  2  usage, credential, endpoint, bucket or missing-key problem").With(_object);
        _s3.AddTo(command);
        command.Options.Add(_gunzip);
        command.SetAction((parse, cancellationToken) => RunAsync(parse, cancellationToken));
        return command;
    }

    private async Task<int> RunAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        var text = parse.GetValue(_object)!;
        var (location, key) = Split(text);
        var store = StoreConnection.Open(location, _s3.Read(parse, 4));
        try
        {
            ObjectContent read;
            try
            {
                read = await store.ReadAsync(key, 0, null, cancellationToken);
            }
            catch (StoreException ex) when (ex.Kind == StoreErrorKind.NotFound)
            {
                throw CliException.Usage($"{text} does not exist; list the prefix to find the key");
            }
            catch (StoreException ex) when (ex.IsFatalForRun || ex.Kind is StoreErrorKind.Unreachable or StoreErrorKind.Other)
            {
                throw CliException.Usage(ex.Message);
            }

            await using (read)
            {
                using var sha256 = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
                using var md5 = IncrementalHash.CreateHash(HashAlgorithmName.MD5);
                var hashing = new HashingReadStream(read.Content, sha256, md5);
                var output = Console.OpenStandardOutput();
                try
                {
                    if (parse.GetValue(_gunzip))
                    {
                        await using var gunzip = new GZipStream(hashing, CompressionMode.Decompress, leaveOpen: true);
                        await gunzip.CopyToAsync(output, 1 << 16, cancellationToken);
                        await hashing.CopyToAsync(Stream.Null, cancellationToken); // hash any trailing bytes too
                    }
                    else
                    {
                        await hashing.CopyToAsync(output, 1 << 16, cancellationToken);
                    }

                    await output.FlushAsync(cancellationToken);
                }
                catch (IOException ex) when (ex.Message.Contains("pipe", StringComparison.OrdinalIgnoreCase))
                {
                    return ExitCodes.Success; // the reader went away (| head): not an error
                }
                catch (InvalidDataException)
                {
                    throw new CliException(ExitCodes.SomeFailed, $"{text} is not gzip data; drop --gunzip");
                }

                var actualSha256 = Convert.ToHexStringLower(sha256.GetHashAndReset());
                var actualMd5 = Convert.ToHexStringLower(md5.GetHashAndReset());
                var info = read.Object;
                if (info.Sha256 is { } expected && !string.Equals(expected, actualSha256, StringComparison.OrdinalIgnoreCase)
                    || info.Sha256 is null && info.ETagIsMd5 && !string.Equals(info.ETag, actualMd5, StringComparison.OrdinalIgnoreCase))
                {
                    throw new CliException(ExitCodes.SomeFailed, $"{text}: the bytes streamed do not match the object's recorded checksum (corrupt object)");
                }

                return ExitCodes.Success;
            }
        }
        finally
        {
            (store as IDisposable)?.Dispose();
        }
    }

    private static (StoreLocation Location, string Key) Split(string text)
    {
        // The same reading as every destination: a mistyped scheme (s3:/b/k) is refused, not taken for a local file.
        var location = StoreConnection.ParseLocation(text);
        if (location.Scheme == StoreScheme.S3)
        {
            var key = location.Prefix.TrimEnd('/');
            return key.Length == 0
                ? throw CliException.Usage($"'{text}' names a bucket, not an object; write s3://BUCKET/KEY")
                : (location with { Prefix = "" }, key);
        }

        return (new StoreLocation(StoreScheme.Local, Path.GetDirectoryName(location.Container)!, ""), Path.GetFileName(location.Container));
    }

    /// <summary>Hashes what passes through.</summary>
    private sealed class HashingReadStream(Stream inner, IncrementalHash sha256, IncrementalHash md5) : ReadOnlyStream
    {

        public override int Read(byte[] buffer, int offset, int count)
        {
            var n = inner.Read(buffer, offset, count);
            sha256.AppendData(buffer, offset, n);
            md5.AppendData(buffer, offset, n);
            return n;
        }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var n = await inner.ReadAsync(buffer, cancellationToken);
            sha256.AppendData(buffer.Span[..n]);
            md5.AppendData(buffer.Span[..n]);
            return n;
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    }
}
