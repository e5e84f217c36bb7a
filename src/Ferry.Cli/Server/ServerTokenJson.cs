using System.Text.Json.Serialization;

namespace Ferry.Cli.Server;

/// <summary>How <c>server-tokens.json</c> is written and read (the serializer's defaults), generated at build time (Native AOT).</summary>
[JsonSerializable(typeof(Dictionary<string, ServerTokenStore.Entry>))]
internal sealed partial class ServerTokenJson : JsonSerializerContext;
