using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Ferry.Core.Privacy;

/// <summary>
/// Applies a study's rules to JSON records with its secret key. A pseudonym is <c>p_</c> and 32 hex digits of
/// HMAC-SHA-256(key, study ∥ 0 ∥ value): the same identifier always gives the same pseudonym under one key and study,
/// unlinkable ones under another, and nobody without the key can test a guess (unlike a plain SHA-256 of the value).
/// </summary>
public sealed partial class Pseudonymizer
{
    private readonly PseudonymizationRules _rules;
    private readonly byte[]? _key;
    private readonly byte[]? _salt;
    private readonly byte[] _study;
    private readonly string[][] _pseudonymize;
    private readonly string[][] _drop;
    private readonly (string[] Path, string Kind)[] _generalize;
    private readonly FreeTextScrubber _scrubber;
    private readonly HashSet<string> _named;
    private readonly HashSet<string> _namedPrefixes;

    public Pseudonymizer(PseudonymizationRules rules, PseudonymKey key)
        : this(rules, key.Secret, salt: null)
    {
    }

    /// <summary>
    /// A donor machine's pseudonymizer for a donation link: every identifier becomes its salted digest
    /// (<see cref="SaltedDigest"/>, <c>d_</c> and 64 hex digits) instead of a keyed pseudonym, because the study's key stays
    /// on the server, which re-keys the digests (<see cref="DigestRekeyer"/>) before anything is stored.
    /// </summary>
    public static Pseudonymizer WithSaltedDigests(PseudonymizationRules rules, byte[] salt) =>
        salt.Length >= SaltedDigest.MinimumSaltBytes ? new(rules, key: null, salt) : throw new PrivacyException($"a study's salt needs at least {SaltedDigest.MinimumSaltBytes} bytes");

    private Pseudonymizer(PseudonymizationRules rules, byte[]? key, byte[]? salt)
    {
        rules.Validate();
        _rules = rules;
        _key = key;
        _salt = salt;
        _study = Encoding.UTF8.GetBytes(rules.Study + "\0");
        _pseudonymize = rules.Pseudonymize.Select(p => p.Split('.')).ToArray();
        _drop = rules.Drop.Select(p => p.Split('.')).ToArray();
        _generalize = rules.Generalize.Select(g => (g.Key.Split('.'), g.Value)).ToArray();
        _scrubber = new FreeTextScrubber(rules.Scrub ?? new ScrubRules(), Pseudonym);
        _named = rules.Pseudonymize.Concat(rules.Generalize.Keys).ToHashSet(StringComparer.Ordinal);
        _namedPrefixes = _named.SelectMany(p => Enumerable.Range(1, p.Count(c => c == '.')).Select(n => string.Join('.', p.Split('.').Take(n)))).ToHashSet(StringComparer.Ordinal);
    }

    public PseudonymizationRules Rules => _rules;

    /// <summary>
    /// The study's public salt for donation links: HMAC-SHA-256(key, "ferry-link-salt" ∥ 0 ∥ study). Stable for a key and
    /// study (so a donor's digests, and so their pseudonyms, are the same through every link of the study) and safe to
    /// publish: an HMAC output reveals nothing of the key.
    /// </summary>
    public byte[] LinkSalt() => _key is null
        ? throw new InvalidOperationException("a salted-digest pseudonymizer has no key to derive a salt from")
        : HMACSHA256.HashData(_key, Encoding.UTF8.GetBytes("ferry-link-salt\0" + _rules.Study));

    /// <summary>True when this pseudonymizer writes salted digests (a donation link's donor side), not keyed pseudonyms.</summary>
    public bool WritesDigests => _salt is not null;

    /// <summary>The pseudonym of one identifier (its salted digest with <see cref="WithSaltedDigests"/>).</summary>
    public string Pseudonym(string value)
    {
        if (_salt is not null)
        {
            return SaltedDigest.Of(_salt, _rules.Study, value);
        }

        var input = new byte[_study.Length + Encoding.UTF8.GetByteCount(value)];
        _study.CopyTo(input, 0);
        Encoding.UTF8.GetBytes(value, 0, value.Length, input, _study.Length);
        return "p_" + Convert.ToHexStringLower(HMACSHA256.HashData(_key!, input))[..32];
    }

    /// <summary>
    /// Drops, pseudonymizes and generalizes the listed fields of <paramref name="record"/>, in that order, in place; then
    /// scrubs every other string value (<see cref="FreeTextScrubber"/>).
    /// </summary>
    public void Apply(JsonObject record) => Apply(record, counts: null);

    /// <summary>As <see cref="Apply(JsonObject)"/>, adding the scrubber's hits per detector to <paramref name="counts"/>.</summary>
    public void Apply(JsonObject record, ScrubCounts? counts)
    {
        foreach (var path in _drop)
        {
            Visit(record, path, 0, (parent, name) => parent.Remove(name));
        }

        foreach (var path in _pseudonymize)
        {
            Visit(record, path, 0, (parent, name) =>
            {
                if (parent[name] is { } value)
                {
                    parent[name] = Pseudonym(value is JsonValue scalar && scalar.TryGetValue<string>(out var text) ? text : value.ToJsonString());
                }
            });
        }

        foreach (var (path, kind) in _generalize)
        {
            Visit(record, path, 0, (parent, name) =>
            {
                if (parent[name] is { } value)
                {
                    var general = Generalized(value, kind);
                    if (general is null)
                    {
                        parent.Remove(name); // unreadable: never passed through as it was
                    }
                    else
                    {
                        parent[name] = general;
                    }
                }
            });
        }

        _scrubber.ScrubValues(record, _named, _namedPrefixes, counts);
    }

    /// <summary>Walks <paramref name="path"/> from <paramref name="node"/>, through arrays element by element, and calls <paramref name="act"/> on each last step.</summary>
    private static void Visit(JsonNode? node, string[] path, int index, Action<JsonObject, string> act)
    {
        switch (node)
        {
            case JsonArray array:
                foreach (var element in array.ToArray())
                {
                    Visit(element, path, index, act);
                }

                break;
            case JsonObject obj when index == path.Length - 1:
                if (obj.ContainsKey(path[index]))
                {
                    act(obj, path[index]);
                }

                break;
            case JsonObject obj:
                Visit(obj[path[index]], path, index + 1, act);
                break;
        }
    }

    private static string? Generalized(JsonNode value, string kind)
    {
        if (kind == "region")
        {
            var text = value is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
            return text is null ? null : RegionPrefix().Match(text) is { Success: true } m ? m.Groups[1].Value.ToLowerInvariant() + "-*" : "*";
        }

        var at = Timestamp(value);
        if (at is not { } t)
        {
            return null;
        }

        var utc = t.UtcDateTime;
        return kind switch
        {
            "year" => utc.ToString("yyyy", CultureInfo.InvariantCulture),
            "month" => utc.ToString("yyyy-MM", CultureInfo.InvariantCulture),
            "day" => utc.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            _ => utc.ToString("yyyy-MM-dd'T'HH':00Z'", CultureInfo.InvariantCulture),
        };
    }

    private static DateTimeOffset? Timestamp(JsonNode value)
    {
        if (value is not JsonValue scalar)
        {
            return null;
        }

        if (scalar.TryGetValue<string>(out var text))
        {
            return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed) ? parsed : null;
        }

        if (scalar.TryGetValue<double>(out var number) && double.IsFinite(number) && number >= 0)
        {
            // Unix time: milliseconds when too large to be seconds.
            var seconds = number > 100_000_000_000 ? number / 1000 : number;
            return seconds < 253_402_300_800 ? DateTimeOffset.FromUnixTimeMilliseconds((long)(seconds * 1000)) : null;
        }

        return null;
    }

    [GeneratedRegex("^([A-Za-z]{2})-")]
    private static partial Regex RegionPrefix();
}
