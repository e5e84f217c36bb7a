using System.Text;
using System.Text.Json;

namespace Ferry.Core.Privacy;

/// <summary>
/// The local consent and donation ledger: JSON Lines, appended and flushed per entry; rewritten (temporary file,
/// rename) only to erase a donor. Holds pseudonyms, never identifiers.
/// </summary>
public sealed class DonationLedger(string path)
{
    public static string DefaultPath => System.IO.Path.Combine(FerryPaths.DataDirectory, "donations", "ledger.jsonl");

    public string Path { get; } = System.IO.Path.GetFullPath(path);

    public void Append(LedgerEntry entry)
    {
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(Path)!);
        using var stream = new FileStream(Path, FileMode.Append, FileAccess.Write, FileShare.Read);
        var line = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(entry, PrivacyJson.Default.LedgerEntry) + "\n");
        stream.Write(line);
        stream.Flush(flushToDisk: true);
    }

    public IReadOnlyList<LedgerEntry> ReadAll()
    {
        if (!File.Exists(Path))
        {
            return [];
        }

        return File.ReadLines(Path).Where(l => l.Length > 0).Select(l => JsonSerializer.Deserialize(l, PrivacyJson.Default.LedgerEntry)!).ToList();
    }

    /// <summary>The donor's latest consent decision, or null when they never decided.</summary>
    public ConsentRecord? LatestConsent(string donor) =>
        ReadAll().Where(e => e.Type == LedgerEntry.ConsentType && e.Donor == donor).Select(e => e.Consent).LastOrDefault();

    /// <summary>
    /// The donor's withdrawal that still holds (no <c>renewed</c> entry after it), or null when they may donate. See
    /// <see cref="ConsentRecord.IsHeld"/>.
    /// </summary>
    public ConsentRecord? Withdrawal(string donor)
    {
        var decisions = ReadAll().Where(e => e.Type == LedgerEntry.ConsentType && e.Donor == donor && e.Consent is not null).Select(e => e.Consent!).ToList();
        return ConsentRecord.IsHeld(decisions.Select(d => d.Decision)) ? decisions.Last(d => d.Decision == ConsentRecord.Withdrawn) : null;
    }

    /// <summary>Removes every entry of <paramref name="donor"/> and appends <paramref name="audit"/>; returns how many entries went.</summary>
    public int Erase(string donor, Func<int, LedgerEntry> audit)
    {
        var entries = ReadAll();
        var kept = entries.Where(e => e.Donor != donor).ToList();
        var removed = entries.Count - kept.Count;
        kept.Add(audit(removed));
        var temporary = Path + ".tmp";
        using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            foreach (var entry in kept)
            {
                stream.Write(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(entry, PrivacyJson.Default.LedgerEntry) + "\n"));
            }

            stream.Flush(flushToDisk: true);
        }

        File.Move(temporary, Path, overwrite: true);
        return removed;
    }
}
