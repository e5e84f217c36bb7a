using System.Text.Json;

namespace Ferry.Server.Checks;

/// <summary>
/// Stores a session's check results within <see cref="MaximumBytes"/> and reads them back for the session's page. A
/// list too large to store is truncated, never refused (the upload goes ahead): first the warning examples are left
/// out, from the last folder backwards (each folder keeps its warning count), then whole folders from the end; the
/// row records how many of each were left out, and the page says so.
/// </summary>
internal static class SessionCheckStore
{
    /// <summary>The most a session stores: 256 KiB of UTF-8 JSON.</summary>
    public const int MaximumBytes = 256 * 1024;

    /// <summary>The row to store for <paramref name="checks"/> (at most <paramref name="maximumBytes"/> of JSON).</summary>
    public static SessionCheckResults Fit(long sessionId, IReadOnlyList<SensorFolderCheck> checks, int maximumBytes = MaximumBytes)
    {
        var kept = checks.ToList();
        var sizes = kept.Select(Size).ToList();
        long total = 2 + sizes.Sum() + Math.Max(0, kept.Count - 1);
        var omittedExamples = 0;
        for (var i = kept.Count - 1; i >= 0 && total > maximumBytes; i--)
        {
            if (kept[i].Examples is { Count: > 0 } examples)
            {
                omittedExamples += examples.Count;
                kept[i] = kept[i] with { Examples = null };
                var size = Size(kept[i]);
                total -= sizes[i] - size;
                sizes[i] = size;
            }
        }

        var omittedFolders = 0;
        while (total > maximumBytes && kept.Count > 0)
        {
            total -= sizes[^1] + (kept.Count > 1 ? 1 : 0);
            sizes.RemoveAt(sizes.Count - 1);
            kept.RemoveAt(kept.Count - 1);
            omittedFolders++;
        }

        return new SessionCheckResults
        {
            SessionId = sessionId,
            Results = JsonSerializer.Serialize(kept, SessionCheckJson.Options),
            OmittedFolders = omittedFolders,
            OmittedExamples = omittedExamples,
        };
    }

    /// <summary>The session's stored check results, or null when its client sent none.</summary>
    public static async Task<(List<SensorFolderCheck> Checks, int OmittedFolders, int OmittedExamples)?> LoadAsync(FerryDbContext db, long sessionId, CancellationToken cancellationToken)
    {
        var row = await db.SessionCheckResults.AsNoTracking().FirstOrDefaultAsync(c => c.SessionId == sessionId, cancellationToken);
        return row is null
            ? null
            : (JsonSerializer.Deserialize<List<SensorFolderCheck>>(row.Results, SessionCheckJson.Options) ?? [], row.OmittedFolders, row.OmittedExamples);
    }

    private static long Size(SensorFolderCheck check) => JsonSerializer.SerializeToUtf8Bytes(check, SessionCheckJson.Options).Length;
}
