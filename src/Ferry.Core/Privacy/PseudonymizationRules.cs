using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Ferry.Core.Privacy;

/// <summary>
/// A study's (or tenant's) pseudonymization rules, kept in a JSON file beside its documentation:
/// <code>
/// { "study": "mosaic-2026",
///   "pseudonymize": ["user_id", "session_id", "machine.hostname"],
///   "drop": ["email", "ip_address", "env"],
///   "generalize": { "region": "region", "timestamp": "day", "steps.time": "hour" } }
/// </code>
/// Field paths are dotted; a path that meets an array applies to each element. <c>pseudonymize</c> replaces the value
/// by an HMAC-SHA-256 pseudonym under the study's secret key; <c>drop</c> removes the field; <c>generalize</c> coarsens
/// it: <c>region</c> (eu-west-3 → eu-*), <c>year</c>, <c>month</c>, <c>day</c> or <c>hour</c> for timestamps (ISO 8601
/// or Unix seconds/milliseconds). A value a generalizer cannot read is removed, never passed through. Every other string
/// value then goes through the free-text scrubber (<c>scrub</c>, <see cref="ScrubRules"/>; on unless turned off).
/// </summary>
public sealed record PseudonymizationRules
{
    public static readonly IReadOnlySet<string> Generalizers = new HashSet<string>(StringComparer.Ordinal) { "region", "year", "month", "day", "hour" };

    /// <summary>The study or tenant the rules (and the key) belong to; part of every pseudonym's input.</summary>
    public required string Study { get; init; }

    public IReadOnlyList<string> Pseudonymize { get; init; } = [];

    public IReadOnlyList<string> Drop { get; init; } = [];

    public IReadOnlyDictionary<string, string> Generalize { get; init; } = new Dictionary<string, string>();

    /// <summary>The free-text scrubber over every string value no rule above names (<see cref="FreeTextScrubber"/>); null: on, every detector, default settings.</summary>
    public ScrubRules? Scrub { get; init; }

    /// <summary>Rules for agent training logs when a study gives none: identifiers pseudonymized, contact data and environments dropped, regions and times coarsened.</summary>
    public static PseudonymizationRules TrainingLogs(string study) => new()
    {
        Study = study,
        Pseudonymize = ["user_id", "user", "username", "session_id", "run_id", "machine_id", "hostname", "account_id"],
        Drop = ["email", "ip", "ip_address", "name", "full_name", "phone", "env", "environment", "api_key", "token", "password"],
        Generalize = new Dictionary<string, string> { ["region"] = "region", ["timestamp"] = "day", ["created_at"] = "day", ["time"] = "day" },
    };

    /// <summary>Reads and checks a rules file; throws <see cref="PrivacyException"/> naming the problem.</summary>
    public static PseudonymizationRules Load(string path)
    {
        PseudonymizationRules? rules;
        try
        {
            rules = JsonSerializer.Deserialize(File.ReadAllBytes(path), PrivacyJson.Default.PseudonymizationRules);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new PrivacyException($"cannot read the rules file {path}: {ex.Message}");
        }
        catch (JsonException ex)
        {
            throw new PrivacyException($"the rules file {path} is not valid: {ex.Message.Split(". Path")[0]}; see docs/donations.md for its format");
        }

        rules = (rules ?? throw new PrivacyException($"the rules file {path} is empty")) with
        {
            // Lists left out of the file are empty.
            Pseudonymize = rules.Pseudonymize ?? [],
            Drop = rules.Drop ?? [],
            Generalize = rules.Generalize ?? new Dictionary<string, string>(),
        };
        rules.Validate(path);
        return rules;
    }

    /// <summary>The rules as the JSON of a rules file (how a donation link serves them to donors' machines).</summary>
    public string ToJson() => JsonSerializer.Serialize(this, PrivacyJson.Default.PseudonymizationRules);

    /// <summary>Rules from the JSON of a rules file (<see cref="ToJson"/>); throws <see cref="PrivacyException"/> naming <paramref name="source"/>.</summary>
    public static PseudonymizationRules FromJson(string json, string source)
    {
        PseudonymizationRules? rules;
        try
        {
            rules = JsonSerializer.Deserialize(json, PrivacyJson.Default.PseudonymizationRules);
        }
        catch (JsonException ex)
        {
            throw new PrivacyException($"{source} are not valid: {ex.Message.Split(". Path")[0]}");
        }

        rules = (rules ?? throw new PrivacyException($"{source} are empty")) with
        {
            Pseudonymize = rules.Pseudonymize ?? [],
            Drop = rules.Drop ?? [],
            Generalize = rules.Generalize ?? new Dictionary<string, string>(),
        };
        rules.Validate(source);
        return rules;
    }

    /// <summary>Throws <see cref="PrivacyException"/> for an empty study, an empty path, or an unknown generalizer.</summary>
    public void Validate(string source = "the rules")
    {
        if (Pseudonymize is null || Drop is null || Generalize is null)
        {
            throw new PrivacyException($"{source}: \"pseudonymize\" and \"drop\" are lists and \"generalize\" an object; leave them out rather than null");
        }

        if (string.IsNullOrWhiteSpace(Study))
        {
            throw new PrivacyException($"{source}: \"study\" must name the study or tenant");
        }

        foreach (var path in Pseudonymize.Concat(Drop).Concat(Generalize.Keys))
        {
            if (string.IsNullOrWhiteSpace(path) || path.Split('.').Any(string.IsNullOrEmpty))
            {
                throw new PrivacyException($"{source}: the field path '{path}' is not a dotted path such as user.id");
            }
        }

        Scrub?.Validate(source);
        foreach (var (path, kind) in Generalize)
        {
            if (!Generalizers.Contains(kind))
            {
                throw new PrivacyException($"{source}: '{path}' asks for generalizer '{kind}'; use one of {string.Join(", ", Generalizers.Order(StringComparer.Ordinal))}");
            }
        }
    }

    /// <summary>SHA-256 of the rules in canonical form: which rules a donation was processed with.</summary>
    public string Hash() => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(this with
    {
        Pseudonymize = Pseudonymize.Order(StringComparer.Ordinal).ToList(),
        Drop = Drop.Order(StringComparer.Ordinal).ToList(),
        Generalize = new SortedDictionary<string, string>(Generalize.ToDictionary(), StringComparer.Ordinal),
    }, PrivacyJson.Default.PseudonymizationRules))));
}
