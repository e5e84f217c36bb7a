using System.IO.Compression;

namespace Ferry.Core.Bundles;

/// <summary>A bundle as one zip file: its folder name at the top, every section file and both reports, nothing of Ferry's own state.</summary>
public static class BundleZip
{
    /// <summary>
    /// Writes the zip to <paramref name="path"/> through a temporary file and a rename, so a reader never sees half a
    /// zip. Already-compressed files (zip, gz, media) are stored, the rest deflated.
    /// </summary>
    public static async Task WriteAsync(OutboxBundle bundle, string path, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var temporary = path + ".tmp";
        var file = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None, 64 * 1024, FileOptions.Asynchronous);
        await using (file.ConfigureAwait(false))
        {
            var zip = new ZipArchive(file, ZipArchiveMode.Create, leaveOpen: true);
            await using (zip.ConfigureAwait(false))
            {
                var root = bundle.Directory;
                var files = Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories)
                    .Select(f => Path.GetRelativePath(root, f).Replace('\\', '/'))
                    .Where(r => !r.StartsWith(Outbox.StateFolder + "/", StringComparison.Ordinal))
                    .Order(StringComparer.Ordinal);
                foreach (var relative in files)
                {
                    var entry = zip.CreateEntry(bundle.Folder + "/" + relative, IsCompressed(relative) ? CompressionLevel.NoCompression : CompressionLevel.Fastest);
                    entry.LastWriteTime = File.GetLastWriteTimeUtc(Path.Combine(root, relative));
                    var input = File.OpenRead(Path.Combine(root, relative));
                    await using var inputDisposal = input.ConfigureAwait(false);
                    var output = await entry.OpenAsync(cancellationToken).ConfigureAwait(false);
                    await using var outputDisposal = output.ConfigureAwait(false);
                    await input.CopyToAsync(output, cancellationToken).ConfigureAwait(false);
                }
            }

            file.Flush(flushToDisk: true);
        }

        File.Move(temporary, path, overwrite: true);
    }

    private static bool IsCompressed(string path) => Path.GetExtension(path).ToLowerInvariant() is ".zip" or ".gz" or ".zst" or ".xz" or ".bz2" or ".7z"
        or ".jpg" or ".jpeg" or ".png" or ".mp3" or ".mp4" or ".flac" or ".avi" or ".mov";
}
