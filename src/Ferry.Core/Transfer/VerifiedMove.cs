using Ferry.Core.Journal;

namespace Ferry.Core.Transfer;

/// <summary>
/// Removes a local file from the source once its upload is verified: deletes it (--move) or moves it
/// to the archive folder under the same relative path (--archive-to). The file must still be exactly
/// what was verified (size and modification time); otherwise it stays where it is.
/// </summary>
internal sealed class VerifiedMove
{
    private readonly bool _delete;
    private readonly string? _archiveRoot;

    public VerifiedMove(bool delete, string? archiveRoot)
    {
        _delete = delete;
        _archiveRoot = archiveRoot is null ? null : Path.GetFullPath(archiveRoot);
    }

    public bool IsEnabled => _delete || _archiveRoot is not null;

    /// <summary>The outcome (<see cref="FileOutcomes.Moved"/> or <see cref="FileOutcomes.Archived"/>), or throws <see cref="IOException"/> saying why the file stayed.</summary>
    public string Apply(SourceFile file, VerifiedUpload verified)
    {
        var now = FileSnapshot.Take(file.FullPath);
        if (now.Size != verified.Size || now.MtimeTicks != verified.MtimeTicks)
        {
            throw new IOException("not moved: the file changed after its upload was verified; the next run uploads the new version");
        }

        if (_delete)
        {
            File.Delete(file.FullPath);
            return FileOutcomes.Moved;
        }

        var target = Path.Combine(_archiveRoot!, file.RelativePath.Replace('/', Path.DirectorySeparatorChar));
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        if (File.Exists(target))
        {
            throw new IOException($"not archived: {target} already exists; the local file stays in the source");
        }

        File.Move(file.FullPath, target, overwrite: false);
        return FileOutcomes.Archived;
    }
}
