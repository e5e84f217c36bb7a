using System.IO.Compression;
using System.Text;
using Ferry.Core.Hashing;
using Ferry.Core.Storage;

namespace Ferry.Core.Privacy;

/// <summary>
/// Exports (<c>PREFIX/exports/*.jsonl.gz</c>, or any other object there; gzip when the name ends in <c>.gz</c>) hold
/// many donors' records, one per line. <see cref="RemoveLinesAsync"/> rewrites each export that holds a line to remove
/// (read, filter, upload, verify by size and SHA-256), deletes an export that would be left empty, and on a versioned
/// store (<see cref="IVersionedObjectStore"/>) removes every version and delete marker under the prefix other than the
/// current versions — an older version of an export is an older copy of what erasure and retention remove. Exports
/// are made from the database, so nothing is lost that cannot be made again.
/// </summary>
public static class DonationExports
{
    public static async Task<ExportRewrite> RemoveLinesAsync(IObjectStore store, string exportsPrefix, Func<string, bool> remove, string temporaryFolder, CancellationToken cancellationToken)
    {
        var exports = new List<StoredObject>();
        await foreach (var item in store.ListAsync(exportsPrefix, cancellationToken).ConfigureAwait(false))
        {
            exports.Add(item);
        }

        int rewritten = 0, deleted = 0;
        long lines = 0;
        Directory.CreateDirectory(temporaryFolder);
        foreach (var export in exports)
        {
            var gzip = export.Key.EndsWith(".gz", StringComparison.Ordinal);
            var temporary = Path.Combine(temporaryFolder, "export-" + Guid.NewGuid().ToString("N"));
            try
            {
                long removed = 0, kept = 0;
                {
                    var content = (await store.ReadAsync(export.Key, 0, null, cancellationToken).ConfigureAwait(false));
                    await using var contentDisposal = content.ConfigureAwait(false);
                    var input = (gzip ? new GZipStream(content.Content, CompressionMode.Decompress) : content.Content);
                    await using var inputDisposal = input.ConfigureAwait(false);
                    var output = File.Create(temporary);
                    await using var outputDisposal = output.ConfigureAwait(false);
                    var packed = (gzip ? new GZipStream(output, CompressionLevel.Optimal) : (Stream)output);
                    await using var packedDisposal = packed.ConfigureAwait(false);
                    var writer = new StreamWriter(packed, new UTF8Encoding(false)) { NewLine = "\n" };
                    await using var writerDisposal = writer.ConfigureAwait(false);
                    using var reader = new StreamReader(input, Encoding.UTF8);
                    while (await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
                    {
                        if (remove(line))
                        {
                            removed++;
                        }
                        else
                        {
                            kept++;
                            await writer.WriteLineAsync(line).ConfigureAwait(false);
                        }
                    }
                }

                if (removed == 0)
                {
                    continue;
                }

                lines += removed;
                if (kept == 0)
                {
                    await store.DeleteAsync(export.Key, cancellationToken).ConfigureAwait(false);
                    deleted++;
                    continue;
                }

                var (sha256, md5) = await ContentHashes.HashFileAsync(temporary, cancellationToken).ConfigureAwait(false);
                var length = new FileInfo(temporary).Length;
                {
                    var upload = File.OpenRead(temporary);
                    await using var uploadDisposal = upload.ConfigureAwait(false);
                    await store.PutAsync(export.Key, upload, length, new ObjectWriteOptions(sha256, ContentHashes.Md5Base64(md5)), cancellationToken).ConfigureAwait(false);
                }

                var head = await store.HeadAsync(export.Key, cancellationToken).ConfigureAwait(false);
                if (head is null || head.Size != length || (head.Sha256 is { } stored && stored != sha256))
                {
                    throw new IOException($"{export.Key} was not rewritten completely; run the erasure again");
                }

                rewritten++;
            }
            finally
            {
                File.Delete(temporary);
            }
        }

        var versions = await VersionPurge.RemoveOlderVersionsAsync(store, exportsPrefix, cancellationToken).ConfigureAwait(false);
        return new ExportRewrite(exports.Count, rewritten, deleted, lines, versions);
    }
}

/// <summary>What <see cref="DonationExports.RemoveLinesAsync"/> did: exports checked, rewritten and deleted, lines removed, old versions removed (null: the store keeps no versions Ferry can see).</summary>
public sealed record ExportRewrite(int Checked, int Rewritten, int Deleted, long LinesRemoved, int? VersionsRemoved);
