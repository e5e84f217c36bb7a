using System.IO.Compression;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Ferry.Core.Privacy;

namespace Ferry.Testing;

/// <summary>
/// A donor's machine for donation-link tests: a planted corpus of identifiers (in named fields and in free text, nested
/// and in arrays), the digest bundle made from it with Ferry's own code (what <c>ferry donate --link</c> makes), and
/// searches of text, files, zips and gzip members for what must never appear.
/// </summary>
public static partial class DonationLinkDonor
{
    public const string Header = "Ferry-Donation-Link";

    /// <summary>Identifiers planted in a corpus made with <paramref name="tag"/> (letters and digits): every one must be gone from the server's disk, database and bucket.</summary>
    public static string[] Planted(string tag) =>
        [$"user-{tag}", $"mail.{tag}@example.org", $"prompt.{tag}@example.com", $"home{tag}", $"host-{tag}", $"sess-{tag}", $"run-{tag}", "198.51.100.77", $"AKIA{tag.ToUpperInvariant()[..4]}EXAMPLE77777"];

    /// <summary>A .jsonl.gz of <paramref name="records"/> records holding <see cref="Planted"/> and a payload token <c>keep-TAG</c> that must survive.</summary>
    public static byte[] Corpus(string tag, int records)
    {
        var p = Planted(tag);
        var text = new StringBuilder();
        for (var i = 0; i < records; i++)
        {
            var record = new JsonObject
            {
                ["user_id"] = p[0], ["email"] = p[1], ["hostname"] = p[4], ["session_id"] = p[5], ["run_id"] = p[6], ["step"] = i, ["payload"] = $"keep-{tag}",
                ["prompt"] = $"write to {p[2]} about /home/{p[3]}/project from {p[7]} with key {p[8]}",
                ["steps"] = new JsonArray(new JsonObject { ["tool"] = "shell", ["output"] = new JsonArray($"cc {p[1]}", new JsonObject { ["trace"] = $"at /home/{p[3]}/x.py" }) }),
            };
            text.Append(record.ToJsonString()).Append('\n');
        }

        return TrainingLogs.Gzip(text.ToString());
    }

    /// <summary>The link's information, as a donor's client reads it.</summary>
    public static async Task<JsonObject> InfoAsync(HttpClient client, string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/link");
        request.Headers.Add(Header, token);
        using var response = await client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return response.IsSuccessStatusCode ? (JsonObject)JsonNode.Parse(text)! : throw new InvalidOperationException($"GET /api/link answered {(int)response.StatusCode}: {text}");
    }

    /// <summary>Makes the digest bundle of <paramref name="files"/> for the link (rules and salt from <paramref name="info"/>), in <paramref name="staging"/>.</summary>
    public static Task<DigestBundleResult> BundleAsync(JsonObject info, IReadOnlyList<string> files, string donor, string staging)
    {
        var rules = PseudonymizationRules.FromJson(info["rules"]!.GetValue<string>(), "the link's rules");
        var digests = Pseudonymizer.WithSaltedDigests(rules, Convert.FromBase64String(info["salt"]!.GetValue<string>()));
        var policy = new ConsentPolicy(info["policy_version"]!.GetValue<string>(), info["policy_text"]!.GetValue<string>());
        return DigestBundle.CreateAsync(files, digests, policy, digests.Pseudonym(donor), staging, TimeProvider.System, CancellationToken.None);
    }

    /// <summary>The salted digest of <paramref name="value"/> under the link's salt and study.</summary>
    public static string DigestOf(JsonObject info, string value)
    {
        var rules = PseudonymizationRules.FromJson(info["rules"]!.GetValue<string>(), "the link's rules");
        return SaltedDigest.Of(Convert.FromBase64String(info["salt"]!.GetValue<string>()), rules.Study, value);
    }

    public static HttpRequestMessage Request(HttpMethod method, string path, string token, HttpContent? content = null, long? offset = null)
    {
        var request = new HttpRequestMessage(method, path) { Content = content };
        request.Headers.Add(Header, token);
        if (offset is { } o)
        {
            request.Headers.Add("Upload-Offset", o.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        return request;
    }

    /// <summary>Starts an upload of <paramref name="length"/> bytes; returns the response (201 with the id, or the refusal).</summary>
    public static async Task<HttpResponseMessage> StartAsync(HttpClient client, string token, long length, string? sha256, string consent)
    {
        using var request = Request(HttpMethod.Post, "/api/link/uploads", token, JsonContent.Create(new { length, sha256, consent }));
        return await client.SendAsync(request);
    }

    /// <summary>Sends <paramref name="bytes"/>[from..to) at offset <paramref name="from"/>.</summary>
    public static async Task<HttpResponseMessage> ChunkAsync(HttpClient client, string token, string id, byte[] bytes, int from, int to)
    {
        using var request = Request(HttpMethod.Patch, $"/api/link/uploads/{id}", token, new ByteArrayContent(bytes, from, to - from), from);
        return await client.SendAsync(request);
    }

    /// <summary>The whole flow in one go (start, chunks of 64 KiB, finish); returns the finish response.</summary>
    public static async Task<HttpResponseMessage> DonateAsync(HttpClient client, string token, string bundlePath, string consent)
    {
        var bytes = await File.ReadAllBytesAsync(bundlePath);
        using var started = await StartAsync(client, token, bytes.Length, null, consent);
        if (started.StatusCode != HttpStatusCode.Created)
        {
            return new HttpResponseMessage(started.StatusCode) { Content = new StringContent(await started.Content.ReadAsStringAsync()) };
        }

        var id = (await started.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<string>();
        for (var offset = 0; offset < bytes.Length; offset += 64 * 1024)
        {
            using var chunk = await ChunkAsync(client, token, id, bytes, offset, Math.Min(bytes.Length, offset + 64 * 1024));
            if (!chunk.IsSuccessStatusCode)
            {
                return new HttpResponseMessage(chunk.StatusCode) { Content = new StringContent(await chunk.Content.ReadAsStringAsync()) };
            }
        }

        using var finish = Request(HttpMethod.Post, $"/api/link/uploads/{id}/finish", token);
        return await client.SendAsync(finish);
    }

    /// <summary>Every piece of text in a file: as it is, and for a .gz or a zip, its decompressed members too.</summary>
    public static IEnumerable<(string Where, string Text)> TextsOf(string path, byte[] bytes)
    {
        yield return (path, Encoding.UTF8.GetString(bytes));
        if (bytes.Length > 2 && bytes[0] == 0x1f && bytes[1] == 0x8b)
        {
            string? inflated = null;
            try
            {
                inflated = TrainingLogs.Gunzip(bytes);
            }
            catch (InvalidDataException)
            {
            }

            if (inflated is not null)
            {
                yield return (path + " (gunzipped)", inflated);
            }
        }
        else if (bytes.Length > 4 && bytes[0] == 'P' && bytes[1] == 'K')
        {
            Dictionary<string, byte[]>? members = null;
            try
            {
                using var zip = new ZipArchive(new MemoryStream(bytes), ZipArchiveMode.Read);
                members = zip.Entries.ToDictionary(e => e.FullName, e =>
                {
                    using var stream = e.Open();
                    using var copy = new MemoryStream();
                    stream.CopyTo(copy);
                    return copy.ToArray();
                });
            }
            catch (InvalidDataException)
            {
            }

            foreach (var (name, member) in members ?? [])
            {
                foreach (var text in TextsOf($"{path}!{name}", member))
                {
                    yield return text;
                }
            }
        }
    }

    /// <summary>Every file under <paramref name="folder"/> as texts (see <see cref="TextsOf"/>).</summary>
    public static IEnumerable<(string Where, string Text)> TextsUnder(string folder) =>
        Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories).SelectMany(f => TextsOf(f, ReadShared(f)));

    /// <summary>The salted-digest form: <c>d_</c> and 64 hex digits.</summary>
    [GeneratedRegex(@"d_[0-9a-f]{64}")]
    public static partial Regex Digest();

    private static byte[] ReadShared(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
