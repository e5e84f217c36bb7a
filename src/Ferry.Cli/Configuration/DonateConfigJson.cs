using System.Text.Json.Serialization;

namespace Ferry.Cli.Configuration;

/// <summary>How <c>donate.json</c> is read, generated at build time (Native AOT): names as the file spells them, unknown keys an error.</summary>
[JsonSourceGenerationOptions(UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow)]
[JsonSerializable(typeof(DonateConfigFile))]
internal sealed partial class DonateConfigJson : JsonSerializerContext;
