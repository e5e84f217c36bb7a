using System.Text.Json.Serialization;

namespace Ferry.Core.Privacy;

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(PseudonymizationRules))]
[JsonSerializable(typeof(ConsentRecord))]
[JsonSerializable(typeof(DonationManifest))]
[JsonSerializable(typeof(LedgerEntry))]
[JsonSerializable(typeof(IReadOnlyList<ErasurePlace>))]
internal sealed partial class PrivacyJson : JsonSerializerContext;
