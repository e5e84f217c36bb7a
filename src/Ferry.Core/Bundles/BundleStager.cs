using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Ferry.Core.Transfer;

namespace Ferry.Core.Bundles;

/// <summary>
/// Builds a bundle in the outbox: copies every section's regular files into a hidden staging folder, hashing each
/// copy (SHA-256) as it is written and flushing it to disk, writes the file list, the descriptor and the reports,
/// and renames the folder into place. Until that rename nothing is visible in the outbox; a process killed before
/// it leaves a staging folder that the next <see cref="Outbox.List"/> removes. The sources are only read.
/// </summary>
internal static class BundleStager
{
    private const int CopyBuffer = 256 * 1024;

    public static async Task<OutboxBundle> StageAsync(Outbox outbox, BundleRequest request, DateTimeOffset now, CancellationToken cancellationToken)
    {
        Validate(request);
        var clock = Stopwatch.StartNew();
        var (staging, claim) = outbox.BeginStaging();
        using (claim)
        {
            try
            {
                var (sections, fingerprint, files, bytes) = await CopySectionsAsync(staging, request.Sections, cancellationToken).ConfigureAwait(false);
                var descriptor = new BundleDescriptor
                {
                    BundleId = Guid.NewGuid().ToString("N"),
                    Folder = BundleNaming.FolderName(now, request.Name),
                    Name = request.Name,
                    CreatedAt = now,
                    CreatedBy = request.CreatedBy ?? Environment.UserName,
                    Host = Environment.MachineName,
                    Destination = request.Destination,
                    Sections = sections,
                    Files = files,
                    Bytes = bytes,
                    ContentFingerprint = fingerprint,
                    CollectMilliseconds = clock.ElapsedMilliseconds,
                    Details = request.Details,
                };

                var baseName = descriptor.Folder;
                for (var n = 2; ; n++)
                {
                    Outbox.WriteDescriptor(staging, descriptor);
                    BundleReports.Write(staging, descriptor);
                    if (outbox.TryCommit(staging, descriptor.Folder))
                    {
                        return new OutboxBundle(Path.Combine(outbox.Directory, descriptor.Folder), descriptor);
                    }

                    descriptor = descriptor with { Folder = $"{baseName}-{n}" };
                }
            }
            catch
            {
                outbox.Abandon(staging, claim);
                throw;
            }
        }
    }

    private static void Validate(BundleRequest request)
    {
        if (string.IsNullOrWhiteSpace(request.Name))
        {
            throw new BundleException("the export needs a name; give --name \"Contract review 42\"");
        }

        if (request.Sections.Count == 0)
        {
            throw new BundleException("the export has no sections; give a folder with sub-folders or --section NAME=PATH");
        }

        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var section in request.Sections)
        {
            if (BundleSection.FindProblem(section.Name) is { } problem)
            {
                throw new BundleException(problem);
            }

            if (!seen.Add(section.Name))
            {
                throw new BundleException($"the section name '{section.Name}' is given twice; section names must differ");
            }

            if (!Directory.Exists(section.Source))
            {
                throw new BundleException($"the folder {Path.GetFullPath(section.Source)} of section '{section.Name}' does not exist; check the path");
            }
        }
    }

    private static async Task<(List<BundleSectionSummary> Sections, string Fingerprint, long Files, long Bytes)> CopySectionsAsync(
        string staging, IReadOnlyList<BundleSection> sections, CancellationToken cancellationToken)
    {
        var summaries = new List<BundleSectionSummary>();
        var entries = new List<(string Path, long Size, string Sha256)>();
        var list = new StreamWriter(Path.Combine(staging, Outbox.StateFolder, Outbox.FilesName), false, new UTF8Encoding(false)) { NewLine = "\n" };
        await using var listDisposal = list.ConfigureAwait(false);
        var buffer = new byte[CopyBuffer];
        foreach (var section in sections)
        {
            long sectionFiles = 0, sectionBytes = 0;
            var source = Path.GetFullPath(section.Source);
            var skipped = new List<SkippedEntry>();
            var scanner = new SourceScanner(source, new ScanOptions { OnSkipped = skipped.Add });
            await foreach (var file in scanner.ScanAsync(cancellationToken).ConfigureAwait(false))
            {
                var relative = section.Name + "/" + file.RelativePath;
                var target = Path.Combine(staging, section.Name, file.RelativePath);
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                var (size, sha256) = await CopyAndHashAsync(file.FullPath, target, buffer, cancellationToken).ConfigureAwait(false);
                var entry = new BundleFileEntry(relative, section.Name, size, sha256);
                await list.WriteLineAsync(JsonSerializer.Serialize(entry, BundleJson.Default.BundleFileEntry).ReplaceLineEndings("")).ConfigureAwait(false);
                entries.Add((relative, size, sha256));
                sectionFiles++;
                sectionBytes += size;
            }

            if (skipped.Count > 0)
            {
                var first = skipped[0];
                throw new BundleException($"{Path.Combine(source, first.RelativePath)} cannot go into the bundle ({first.Reason}){(skipped.Count > 1 ? $", nor {skipped.Count - 1} more" : "")}; remove it or give a folder without it");
            }

            summaries.Add(new BundleSectionSummary(section.Name, source, sectionFiles, sectionBytes));
        }

        await list.FlushAsync(cancellationToken).ConfigureAwait(false);
        entries.Sort((a, b) => string.CompareOrdinal(a.Path, b.Path));
        using var fingerprint = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var (path, size, sha256) in entries)
        {
            fingerprint.AppendData(Encoding.UTF8.GetBytes($"{path}\0{size}\0{sha256}\n"));
        }

        return (summaries, Convert.ToHexStringLower(fingerprint.GetHashAndReset()), entries.Count, entries.Sum(e => e.Size));
    }

    private static async Task<(long Size, string Sha256)> CopyAndHashAsync(string source, string target, byte[] buffer, CancellationToken cancellationToken)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        long size = 0;
        try
        {
            var input = new FileStream(source, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1, FileOptions.SequentialScan | FileOptions.Asynchronous);
            await using var inputDisposal = input.ConfigureAwait(false);
            var output = new FileStream(target, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.Asynchronous);
            await using var outputDisposal = output.ConfigureAwait(false);
            int read;
            while ((read = await input.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
            {
                hash.AppendData(buffer, 0, read);
                await output.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                size += read;
            }

            output.Flush(flushToDisk: true);
        }
        catch (UnauthorizedAccessException)
        {
            throw new BundleException($"{source} is not readable; check its permissions");
        }
        catch (IOException ex) when (Storage.LocalDiskErrors.IsDiskFull(ex))
        {
            throw new BundleException($"the outbox's disk is full while copying {source}; free space there and export again");
        }

        return (size, Convert.ToHexStringLower(hash.GetHashAndReset()));
    }
}
