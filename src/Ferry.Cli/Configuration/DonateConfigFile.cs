using System.Text.Json;
using System.Text.Json.Serialization;

namespace Ferry.Cli.Configuration;

/// <summary>
/// <c>FERRY_HOME/donate.json</c> (or <c>--config FILE</c>): a study's donation settings, so that donors run a bare
/// <c>ferry donate</c>. Flags override it. Unknown keys are an error that names them.
/// </summary>
internal sealed record DonateConfigFile
{
    [JsonPropertyName("folder")] public string? Folder { get; init; }
    [JsonPropertyName("pattern")] public string? Pattern { get; init; }
    [JsonPropertyName("destination")] public string? Destination { get; init; }
    [JsonPropertyName("endpoint_url")] public string? EndpointUrl { get; init; }
    [JsonPropertyName("aws_region")] public string? AwsRegion { get; init; }
    [JsonPropertyName("aws_profile")] public string? AwsProfile { get; init; }
    [JsonPropertyName("rules")] public string? Rules { get; init; }
    [JsonPropertyName("study")] public string? Study { get; init; }
    [JsonPropertyName("policy")] public string? Policy { get; init; }
    [JsonPropertyName("key_file")] public string? KeyFile { get; init; }
    [JsonPropertyName("donor")] public string? Donor { get; init; }

    public static string DefaultPath => Path.Combine(Core.FerryPaths.DataDirectory, "donate.json");

    /// <summary>The file at <paramref name="path"/>; null when no path was given and the default file does not exist.</summary>
    public static DonateConfigFile? Load(string? path)
    {
        var file = path ?? DefaultPath;
        if (path is null && !File.Exists(file))
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize(File.ReadAllText(file), DonateConfigJson.Default.DonateConfigFile)
                ?? throw CliException.Usage($"the config file {file} is empty");
        }
        catch (JsonException ex)
        {
            throw CliException.Usage($"the config file {file} is not valid: {ex.Message.Split(". Path")[0]}");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw CliException.Usage($"cannot read the config file {file}: {ex.Message}");
        }
    }
}
