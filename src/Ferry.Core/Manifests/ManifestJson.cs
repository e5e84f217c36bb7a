using System.Text.Json.Serialization;

namespace Ferry.Core.Manifests;

[JsonSerializable(typeof(ManifestEntry))]
internal sealed partial class ManifestJson : JsonSerializerContext
{
}
