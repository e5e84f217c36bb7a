using System.Text.Json.Serialization;

namespace Ferry.Core.Bundles;

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, WriteIndented = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(BundleDescriptor))]
[JsonSerializable(typeof(BundleFileEntry))]
internal sealed partial class BundleJson : JsonSerializerContext
{
}
