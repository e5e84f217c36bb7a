using System.Text.Json;

namespace Ferry.Cli.Configuration;

/// <summary>
/// The JSON upload configuration field teams already have (the Data Uploader format): local_directory,
/// bucket_name, s3_prefix, max_workers, aws_region, times_to_retry, aws_profile, use_find, plus
/// endpoint_url. Unknown keys are an error that names them; command-line flags override the file.
/// </summary>
internal sealed record UploadConfigFile
{
    private static readonly string[] KnownKeys =
        ["local_directory", "bucket_name", "s3_prefix", "max_workers", "aws_region", "times_to_retry", "aws_profile", "use_find", "endpoint_url"];

    public string? LocalDirectory { get; init; }
    public string? BucketName { get; init; }
    public string? S3Prefix { get; init; }
    public int? MaxWorkers { get; init; }
    public string? AwsRegion { get; init; }
    public int? TimesToRetry { get; init; }
    public string? AwsProfile { get; init; }
    public string? EndpointUrl { get; init; }

    /// <summary>Reads and checks <paramref name="path"/>; throws <see cref="CliException"/> (exit 2) naming what is wrong.</summary>
    public static UploadConfigFile Load(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw CliException.Usage($"cannot read config file {path}: {ex.Message}");
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(text, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException ex)
        {
            throw CliException.Usage($"config file {path} is not valid JSON (line {ex.LineNumber + 1}): fix the syntax");
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw CliException.Usage($"config file {path} must hold one JSON object of settings");
            }

            var root = document.RootElement;
            var unknown = root.EnumerateObject().Select(p => p.Name).Where(n => !KnownKeys.Contains(n)).ToList();
            if (unknown.Count > 0)
            {
                throw CliException.Usage($"config file {path} has unknown key(s) {string.Join(", ", unknown.Select(u => $"'{u}'"))}; known keys: {string.Join(", ", KnownKeys)}");
            }

            return new UploadConfigFile
            {
                LocalDirectory = ReadString(root, "local_directory", path),
                BucketName = ReadString(root, "bucket_name", path),
                S3Prefix = ReadString(root, "s3_prefix", path),
                MaxWorkers = ReadInt(root, "max_workers", path),
                AwsRegion = ReadString(root, "aws_region", path),
                TimesToRetry = ReadInt(root, "times_to_retry", path),
                AwsProfile = ReadString(root, "aws_profile", path),
                EndpointUrl = ReadString(root, "endpoint_url", path),
            };
        }
    }

    /// <summary>The destination the file names, <c>s3://bucket_name/s3_prefix</c>, or null without a bucket.</summary>
    public string? Destination => BucketName is null ? null : $"s3://{BucketName}/{S3Prefix?.Trim('/')}";

    private static string? ReadString(JsonElement root, string name, string path)
    {
        if (!root.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return value.ValueKind switch
        {
            JsonValueKind.String => value.GetString(),
            JsonValueKind.True or JsonValueKind.False => value.GetRawText(),
            _ => throw CliException.Usage($"config file {path}: '{name}' must be a string"),
        };
    }

    private static int? ReadInt(JsonElement root, string name, string path)
    {
        if (!root.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var number))
        {
            return number;
        }

        if (value.ValueKind == JsonValueKind.String && int.TryParse(value.GetString(), System.Globalization.CultureInfo.InvariantCulture, out number))
        {
            return number;
        }

        throw CliException.Usage($"config file {path}: '{name}' must be a whole number");
    }
}
