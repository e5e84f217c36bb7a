using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Ferry.Core.Privacy;

namespace Ferry.Core.Tests.Privacy;

public sealed class PseudonymizerTests
{
    private static readonly PseudonymizationRules Rules = new()
    {
        Study = "mosaic-2026",
        Pseudonymize = ["user_id", "machine.hostname", "steps.agent"],
        Drop = ["email", "env"],
        Generalize = new Dictionary<string, string> { ["region"] = "region", ["timestamp"] = "day", ["steps.time"] = "hour" },
    };

    [Fact]
    public void Pseudonym_SameIdentifierSameTenant_Same()
    {
        var key = PseudonymKey.Generate();

        Assert.Equal(new Pseudonymizer(Rules, key).Pseudonym("alice@example.org"), new Pseudonymizer(Rules, key).Pseudonym("alice@example.org"));
        Assert.NotEqual(new Pseudonymizer(Rules, key).Pseudonym("alice@example.org"), new Pseudonymizer(Rules, key).Pseudonym("bob@example.org"));
        Assert.Matches("^p_[0-9a-f]{32}$", new Pseudonymizer(Rules, key).Pseudonym("alice@example.org"));
    }

    [Fact]
    public void Pseudonym_SameIdentifierOtherTenantKey_Unlinkable()
    {
        var ours = new Pseudonymizer(Rules, PseudonymKey.Generate());
        var theirs = new Pseudonymizer(Rules, PseudonymKey.Generate());
        var identifiers = Enumerable.Range(0, 1000).Select(i => $"user-{i}").ToList();

        var mine = identifiers.Select(ours.Pseudonym).ToHashSet();

        Assert.DoesNotContain(identifiers.Select(theirs.Pseudonym), mine.Contains);
    }

    [Fact]
    public void Pseudonym_DictionaryOfCandidatesHashedWithSha256_MatchesNoStoredPseudonym()
    {
        var sut = new Pseudonymizer(Rules, PseudonymKey.Generate());
        var candidates = Enumerable.Range(0, 10_000).Select(i => $"user-{i}").Append("alice@example.org").ToList();
        var stored = candidates.Take(500).Select(sut.Pseudonym).ToHashSet();

        // What an attacker without the key can compute: plain hashes of every candidate, in the forms a weak scheme would use.
        var dictionary = candidates.SelectMany(c => new[]
        {
            Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(c))),
            "p_" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(c)))[..32],
            "p_" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes("mosaic-2026\0" + c)))[..32],
        }).ToHashSet();

        Assert.DoesNotContain(stored, dictionary.Contains);
    }

    [Fact]
    public void Apply_Record_DropsPseudonymizesAndGeneralizesNestedAndInArrays()
    {
        var sut = new Pseudonymizer(Rules, PseudonymKey.Generate());
        var record = JsonNode.Parse("""
            {"user_id":"alice","email":"alice@example.org","env":{"HOME":"/home/alice"},"region":"eu-west-3","timestamp":"2026-11-21T17:45:12+02:00",
             "machine":{"hostname":"alice-laptop","cores":8},
             "steps":[{"agent":"a1","time":1763740800123,"reward":0.5},{"agent":"a2","time":"garbage"}],"reward":1.5}
            """)!.AsObject();

        sut.Apply(record);
        var text = record.ToJsonString();

        Assert.Equal(sut.Pseudonym("alice"), record["user_id"]!.GetValue<string>());
        Assert.False(record.ContainsKey("email"));
        Assert.False(record.ContainsKey("env"));
        Assert.Equal("eu-*", record["region"]!.GetValue<string>());
        Assert.Equal("2026-11-21", record["timestamp"]!.GetValue<string>());
        Assert.Equal(sut.Pseudonym("alice-laptop"), record["machine"]!["hostname"]!.GetValue<string>());
        Assert.Equal(8, record["machine"]!["cores"]!.GetValue<int>());
        Assert.Equal(sut.Pseudonym("a1"), record["steps"]![0]!["agent"]!.GetValue<string>());
        Assert.Equal("2025-11-21T16:00Z", record["steps"]![0]!["time"]!.GetValue<string>());
        Assert.False(record["steps"]![1]!.AsObject().ContainsKey("time")); // unreadable: removed, not passed through
        Assert.Equal(1.5, record["reward"]!.GetValue<double>());
        Assert.DoesNotContain("alice", text.Replace(sut.Pseudonym("alice"), "", StringComparison.Ordinal), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"study":"s","generalize":{"region":"continent"}}""", "continent")]
    [InlineData("""{"study":"","drop":["a"]}""", "study")]
    [InlineData("""{"study":"s","drop":["a..b"]}""", "dotted")]
    [InlineData("""{"study":"s","unknown":1}""", "not valid")]
    [InlineData("""not json""", "not valid")]
    public void Load_BadRulesFile_PrivacyExceptionNamingTheProblem(string content, string expected)
    {
        var path = Path.GetTempFileName();
        File.WriteAllText(path, content);
        try
        {
            var error = Assert.Throws<PrivacyException>(() => PseudonymizationRules.Load(path));
            Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void FromBase64_ShortOrNotBase64_Refused()
    {
        Assert.Contains("at least 32", Assert.Throws<PrivacyException>(() => PseudonymKey.FromBase64(Convert.ToBase64String(new byte[16]), "the key")).Message, StringComparison.Ordinal);
        Assert.Contains("not base64", Assert.Throws<PrivacyException>(() => PseudonymKey.FromBase64("%%%", "the key")).Message, StringComparison.Ordinal);
    }
}
