using System.IO.Compression;
using System.Text;

namespace Ferry.Testing;

/// <summary>Training logs for donation tests: gzip JSON Lines with identifying fields, and reading bundles back.</summary>
public static class TrainingLogs
{
    /// <summary>A .jsonl.gz of <paramref name="records"/> records by <paramref name="user"/> (user_id, e-mail, IP, host, region, time), optionally ending with one broken line.</summary>
    public static byte[] Of(string user, int records, bool broken = false)
    {
        var text = new StringBuilder();
        for (var i = 0; i < records; i++)
        {
            text.Append($$"""{"user_id":"{{user}}","email":"{{user}}@example.org","ip":"203.0.113.7","hostname":"alice-laptop","region":"eu-west-3","timestamp":"2026-11-21T17:45:12Z","step":{{i}},"reward":0.5}""").Append('\n');
        }

        if (broken)
        {
            text.Append($$"""{"user_id":"{{user}}","email":"{{user}}@example.org" BROKEN""").Append('\n');
        }

        return Gzip(text.ToString());
    }

    public static byte[] Gzip(string text)
    {
        using var output = new MemoryStream();
        using (var zip = new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true))
        {
            zip.Write(Encoding.UTF8.GetBytes(text));
        }

        return output.ToArray();
    }

    public static string Gunzip(byte[] bytes)
    {
        using var zip = new GZipStream(new MemoryStream(bytes), CompressionMode.Decompress);
        using var reader = new StreamReader(zip);
        return reader.ReadToEnd();
    }

    /// <summary>A zip's entries as text, .gz entries decompressed.</summary>
    public static Dictionary<string, string> Unzip(byte[] zip)
    {
        using var archive = new ZipArchive(new MemoryStream(zip), ZipArchiveMode.Read);
        return archive.Entries.ToDictionary(e => e.FullName, e =>
        {
            using var stream = e.Open();
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            return e.FullName.EndsWith(".gz", StringComparison.Ordinal) ? Gunzip(copy.ToArray()) : Encoding.UTF8.GetString(copy.ToArray());
        });
    }
}
