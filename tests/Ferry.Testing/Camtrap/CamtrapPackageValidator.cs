using System.Text.Json.Nodes;

namespace Ferry.Testing.Camtrap;

/// <summary>A Camtrap DP package (a folder) checked whole: the descriptor against the profile, each table against its schema, and media.deploymentID against deployments.</summary>
public static class CamtrapPackageValidator
{
    /// <summary>The parsed tables and every error found.</summary>
    public static CamtrapPackage Validate(string folder)
    {
        var errors = new List<string>();
        var descriptor = JsonNode.Parse(File.ReadAllText(Path.Combine(folder, "datapackage.json")))!;
        errors.AddRange(CamtrapSchemas.ValidateDescriptor(descriptor).Select(e => "datapackage.json " + e));
        var tables = new Dictionary<string, List<Dictionary<string, string?>>>();
        foreach (var resource in new[] { "deployments", "media", "observations" })
        {
            var (rows, tableErrors) = TableSchemaValidator.Validate(File.ReadAllText(Path.Combine(folder, $"{resource}.csv")), CamtrapSchemas.TableSchema(resource));
            errors.AddRange(tableErrors.Select(e => $"{resource}.csv {e}"));
            tables[resource] = rows;
        }

        var deployments = tables["deployments"].Select(d => d["deploymentID"]).ToHashSet();
        errors.AddRange(tables["media"].Where(m => !deployments.Contains(m["deploymentID"])).Select(m => $"media.csv: deploymentID {m["deploymentID"]} is in no deployment (foreign key)"));
        return new CamtrapPackage(descriptor, tables["deployments"], tables["media"], tables["observations"], errors);
    }
}

/// <summary>A validated package's parts.</summary>
public sealed record CamtrapPackage(JsonNode Descriptor, List<Dictionary<string, string?>> Deployments, List<Dictionary<string, string?>> Media,
    List<Dictionary<string, string?>> Observations, List<string> Errors);
