using System.IO.Compression;
using System.Text;
using System.Text.Json.Nodes;
using Ferry.Core.Privacy;
using Ferry.Core.Storage;
using Ferry.Testing;

namespace Ferry.Core.Tests.Privacy;

/// <summary>The free-text scrubber: a planted corpus through a whole donation, the bundle's bytes searched; ordinary text intact; configuration.</summary>
public sealed class FreeTextScrubberTests : IDisposable
{
    private static readonly PseudonymKey Key = PseudonymKey.Generate();
    private readonly TempDirectory _work = new("scrubber");

    public void Dispose() => _work.Dispose();

    /// <summary>What must never reach the bundle, planted in free text, nested objects and arrays.</summary>
    private static readonly string[] Planted =
    [
        "alice.smith@example.org", "bob@corp.example.com", "+1 415 555 0132", "(020) 7946 0958", "415-555-0199",
        "alice", "carol", "Dave", "/home/alice", "203.0.113.7", "10.0.0.1", "2001:db8::8a2e:370:7334", "fe80::1",
        "AKIAIOSFODNN7EXAMPLE", "abcDEF123456ghiJKL789", "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9", "dozjgNryP4J3jVmNHl0w5N",
        "MIIEowIBAAKCAQEA3Tz2mr7SZiAMfQyuvBjM", "deploy:hunter2", "hunter2", "s3cr3t-pa55", "zz-top-key",
        "ghp_ZzE0SYOXdj4Z8NRPiKwbHuNUIo7ubjDDoTb", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    ];

    /// <summary>Ordinary payload that must come through as it was.</summary>
    private static readonly string[] Ordinary =
    [
        "The quick brown fox jumps over the lazy dog.", "ferry 1.2.3", "Python 3.11.2", "ferry v1.2.3.4", "version 2.0.0.1",
        "2026-11-21 17:45:12", "2026-11-21T17:45:12.123+01:00", "af430dbc62cdc9df654ba30398d844ee1ac16b9a", "9c42906f-decf-4219-ba47-72dd9fb9db28",
        "src/Ferry.Core/Privacy/Pseudonymizer.cs", "claude-3-5-sonnet-20241022", "model_checkpoint_step_12000_final", "ratio 3.14159",
        "tokenizer: gpt2, max_tokens: 100", "std::vector<int> and Vec::new()", "12:30:45", "1732209912000", "see https://docs.example.org/guide",
        "x = a + b (mod 7)", "C:\\Program Files\\Ferry",
    ];

    [Fact]
    public async Task Donate_PlantedCorpus_NoRawHitInTheBundleBytesAndOrdinaryTextIntact()
    {
        var folder = Directory.CreateDirectory(_work.Combine("logs")).FullName;
        var records = new[]
        {
            """{"user_id":"alice","prompt":"mail alice.smith@example.org or bob@corp.example.com; call +1 415 555 0132, (020) 7946 0958 or 415-555-0199","cwd":"/home/alice/projects/x"}""",
            """{"user_id":"alice","win":"C:\\Users\\Dave\\Desktop\\notes.txt","mac":"/Users/carol/Library/Logs","log":"connect 203.0.113.7 then 10.0.0.1, v6 2001:db8::8a2e:370:7334 and fe80::1."}""",
            """{"user_id":"alice","nested":{"deep":[{"t":"key AKIAIOSFODNN7EXAMPLE"},"Authorization: Bearer abcDEF123456ghiJKL789",["jwt eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U"]]}}""",
            """{"user_id":"alice","key":"-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA3Tz2mr7SZiAMfQyuvBjM\n-----END RSA PRIVATE KEY-----","url":"git clone https://deploy:hunter2@git.example.com/repo.git"}""",
            """{"user_id":"alice","cfg":"password=s3cr3t-pa55 api_key: 'zz-top-key'","tok":"session ghp_ZzE0SYOXdj4Z8NRPiKwbHuNUIo7ubjDDoTb here","aws":["secret wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"]}""",
            "{\"user_id\":\"alice\",\"ordinary\":" + System.Text.Json.JsonSerializer.Serialize(Ordinary) + ",\"step\":7,\"reward\":0.5}",
        };
        await File.WriteAllBytesAsync(Path.Combine(folder, "run.jsonl.gz"), TrainingLogs.Gzip(string.Join('\n', records) + "\n"));
        var pseudonymizer = new Pseudonymizer(new PseudonymizationRules { Study = "mosaic", Pseudonymize = ["user_id"] }, Key);
        var store = new LocalDirectoryStore(Directory.CreateDirectory(_work.Combine("store")).FullName);

        var result = await DataDonation.DonateAsync(new DonationRequest
        {
            Folder = folder, Store = store, Pseudonymizer = pseudonymizer, Policy = ConsentPolicy.Default, ConsentedVersion = ConsentPolicy.Default.Version,
            DonorId = "alice", StagingFolder = _work.Combine("staging"),
        }, CancellationToken.None);

        Assert.True(result.Success, result.Message);
        var bundlePath = Assert.Single(Directory.GetFiles(_work.Combine("store"), "*.zip", SearchOption.AllDirectories));
        var members = Members(await File.ReadAllBytesAsync(bundlePath));
        var everything = string.Concat(members.Values);
        Assert.All(Planted, secret => Assert.DoesNotContain(secret, everything, StringComparison.Ordinal));
        var ordinary = JsonNode.Parse(members["part-0001.jsonl.gz"].Split('\n')[5])!["ordinary"]!.AsArray().Select(n => n!.GetValue<string>()).ToList();
        Assert.Equal(Ordinary, ordinary);
        Assert.Contains($"<email:{pseudonymizer.Pseudonym("alice.smith@example.org")}>", everything, StringComparison.Ordinal);
        Assert.Contains($"/home/<user:{pseudonymizer.Pseudonym("alice")}>/projects/x", everything, StringComparison.Ordinal);
        Assert.Contains($"<ip:{pseudonymizer.Pseudonym("203.0.113.7")}>", everything, StringComparison.Ordinal);
        Assert.Contains("Authorization: Bearer <secret>", everything, StringComparison.Ordinal);
        Assert.Contains("https://<secret>@git.example.com/repo.git", everything, StringComparison.Ordinal);
        var scrubbed = JsonNode.Parse(members["manifest.json"])!["scrubbed"]!.AsObject();
        Assert.Equal(FreeTextScrubber.Detectors.Order(StringComparer.Ordinal), scrubbed.Select(p => p.Key));
        Assert.Equal(2, scrubbed["email"]!.GetValue<long>());
        Assert.Equal(3, scrubbed["phone"]!.GetValue<long>());
        Assert.Equal(3, scrubbed["home_path"]!.GetValue<long>());
        Assert.Equal(2, scrubbed["ipv4"]!.GetValue<long>());
        Assert.Equal(2, scrubbed["ipv6"]!.GetValue<long>());
        Assert.All(FreeTextScrubber.Detectors, d => Assert.True(scrubbed[d]!.GetValue<long>() >= 1, $"{d} found nothing"));
    }

    [Theory]
    [InlineData("connect to 192.168.1.20 now", true)]
    [InlineData("ip=8.8.8.8.", true)]
    [InlineData("ferry v1.2.3.4", false)]
    [InlineData("version 1.2.3.4", false)]
    [InlineData("build: 10.0.1.2", false)]
    [InlineData("1.2.3.4.5", false)]
    [InlineData("999.1.1.1", false)]
    [InlineData("libfoo-1.2.3", false)]
    public void Scrub_DottedQuad_IpUnlessAVersion(string text, bool isIp)
    {
        var sut = new Pseudonymizer(new PseudonymizationRules { Study = "s" }, Key);
        var record = new JsonObject { ["text"] = text };

        sut.Apply(record);

        Assert.Equal(isIp, record["text"]!.GetValue<string>().Contains("<ip:p_", StringComparison.Ordinal));
    }

    [Fact]
    public void Apply_FieldsNamedByRules_NotScrubbedAgain()
    {
        var sut = new Pseudonymizer(new PseudonymizationRules { Study = "s", Pseudonymize = ["who.email"], Generalize = new Dictionary<string, string> { ["at"] = "day" } }, Key);
        var record = JsonNode.Parse("""{"who":{"email":"zoe@example.org","note":"zoe@example.org"},"at":"2026-11-21T17:45:12Z"}""")!.AsObject();
        var counts = new ScrubCounts();

        sut.Apply(record, counts);

        Assert.Equal(sut.Pseudonym("zoe@example.org"), record["who"]!["email"]!.GetValue<string>());
        Assert.Equal($"<email:{sut.Pseudonym("zoe@example.org")}>", record["who"]!["note"]!.GetValue<string>()); // links with the field
        Assert.Equal("2026-11-21", record["at"]!.GetValue<string>());
        Assert.Equal(1, counts.Total);
    }

    [Fact]
    public void Load_ScrubSection_DetectorsOffAndThresholdApplied()
    {
        var path = _work.Combine("rules.json");
        File.WriteAllText(path, """{"study":"s","scrub":{"detectors":{"phone":false,"email":false},"entropy_threshold":5.5}}""");
        var sut = new Pseudonymizer(PseudonymizationRules.Load(path), Key);
        var record = new JsonObject { ["t"] = "call +1 415 555 0132, mail a@example.org, key ghp_ZzE0SYOXdj4Z8NRPiKwbHuNUIo7ubjDDoTb, ip 203.0.113.7" };

        sut.Apply(record);

        var text = record["t"]!.GetValue<string>();
        Assert.Contains("+1 415 555 0132", text, StringComparison.Ordinal);
        Assert.Contains("a@example.org", text, StringComparison.Ordinal);
        Assert.Contains("ghp_ZzE0SYOXdj4Z8NRPiKwbHuNUIo7ubjDDoTb", text, StringComparison.Ordinal); // entropy 4.85 < 5.5
        Assert.DoesNotContain("203.0.113.7", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_ScrubOff_NothingScrubbed()
    {
        var path = _work.Combine("off.json");
        File.WriteAllText(path, """{"study":"s","scrub":{"enabled":false}}""");
        var sut = new Pseudonymizer(PseudonymizationRules.Load(path), Key);
        var record = new JsonObject { ["t"] = "mail a@example.org from 203.0.113.7" };

        sut.Apply(record);

        Assert.Equal("mail a@example.org from 203.0.113.7", record["t"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("""{"study":"s","scrub":{"detectors":{"emails":false}}}""", "detector 'emails'")]
    [InlineData("""{"study":"s","scrub":{"entropy_threshold":9}}""", "entropy_threshold")]
    [InlineData("""{"study":"s","scrub":{"entropy_minimum_length":2}}""", "entropy_minimum_length")]
    public void Load_BadScrubSection_RefusedNamingTheProblem(string json, string expected)
    {
        var path = _work.Combine("bad.json");
        File.WriteAllText(path, json);

        var error = Assert.Throws<PrivacyException>(() => PseudonymizationRules.Load(path));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    private static Dictionary<string, string> Members(byte[] zip)
    {
        using var archive = new ZipArchive(new MemoryStream(zip), ZipArchiveMode.Read);
        return archive.Entries.ToDictionary(e => e.FullName, e =>
        {
            using var stream = e.Open();
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            return e.FullName.EndsWith(".gz", StringComparison.Ordinal) ? TrainingLogs.Gunzip(copy.ToArray()) : Encoding.UTF8.GetString(copy.ToArray());
        });
    }
}
