using System.Text.Json.Nodes;
using Json.Schema;

namespace Ferry.Testing.Camtrap;

/// <summary>
/// The vendored Camtrap DP 1.0 profile and table schemas (schemas/SOURCES.md), with what they reference (the Frictionless
/// data package profile, GeoJSON), registered under their canonical URLs so nothing is fetched. Validation of a
/// package's datapackage.json uses JsonSchema.Net; tables are checked by <see cref="TableSchemaValidator"/>.
/// </summary>
public static class CamtrapSchemas
{
    public const string ProfileUrl = "https://raw.githubusercontent.com/tdwg/camtrap-dp/1.0/camtrap-dp-profile.json";

    private static readonly Lazy<(JsonSchema Profile, List<(Uri Uri, JsonSchema Schema)> Referenced)> Loaded = new(Load);

    /// <summary>The folder holding the schema files (copied beside the test assembly).</summary>
    public static string Folder => Path.Combine(AppContext.BaseDirectory, "Camtrap", "schemas");

    /// <summary>The table schema of a Camtrap DP resource: deployments, media or observations.</summary>
    public static JsonObject TableSchema(string resource) =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(Folder, $"{resource}-table-schema.json")))!.AsObject();

    /// <summary>Every error of <paramref name="descriptor"/> against the profile (and the data package profile it includes), as "location: message".</summary>
    public static List<string> ValidateDescriptor(JsonNode descriptor)
    {
        var (profile, referenced) = Loaded.Value;
        var options = new EvaluationOptions { OutputFormat = OutputFormat.List, EvaluateAs = SpecVersion.Draft7, RequireFormatValidation = true };
        foreach (var (uri, schema) in referenced)
        {
            options.SchemaRegistry.Register(uri, schema);
        }

        var results = profile.Evaluate(descriptor, options);
        if (results.IsValid)
        {
            return [];
        }

        var errors = (results.Details ?? []).Where(d => d.HasErrors).SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Key}: {e.Value}")).ToList();
        return errors.Count > 0 ? errors : ["the descriptor is invalid (no details)"];
    }

    private static readonly (string Url, string File)[] Schemas =
    [
        ("https://frictionlessdata.io/schemas/data-package.json", "data-package.json"),
        ("http://json.schemastore.org/geojson.json", "schemastore-geojson.json"),
        ("https://json.schemastore.org/geojson.json", "schemastore-geojson.json"),
        ("https://geojson.org/schema/GeoJSON.json", "GeoJSON.json"),
    ];

    private static (JsonSchema, List<(Uri, JsonSchema)>) Load()
    {
        // Two quirks of the 1.0 profile (schemas/SOURCES.md): it declares draft-04, which JsonSchema.Net does not evaluate
        // (read as draft-07: the profile uses no keyword whose meaning differs), and "#$defs/version" lacks the pointer's '/'.
        var text = File.ReadAllText(Path.Combine(Folder, "camtrap-dp-profile.json"))
            .Replace("http://json-schema.org/draft-04/schema#", "http://json-schema.org/draft-07/schema#", StringComparison.Ordinal)
            .Replace("\"#$defs/version\"", "\"#/$defs/version\"", StringComparison.Ordinal);
        var profile = JsonSchema.FromText(text);
        return (profile, Schemas.Select(s => (new Uri(s.Url), FromFile(s.File))).ToList());
    }

    private static JsonSchema FromFile(string name) => JsonSchema.FromText(File.ReadAllText(Path.Combine(Folder, name)));
}
