using System.CommandLine;
using Ferry.Storage.S3;

namespace Ferry.Cli.Commands;

/// <summary>The options that say how to reach S3, shared by every command that talks to a store.</summary>
internal sealed class S3Options
{
    public Option<string?> Endpoint { get; } = new("--endpoint") { Description = "S3 endpoint URL (default: AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL, else AWS); custom endpoints use path-style addressing" };

    public Option<string?> Region { get; } = new("--region") { Description = "Region to sign for (default: AWS_REGION, AWS_DEFAULT_REGION, the profile's, else us-east-1)" };

    public Option<string?> Profile { get; } = new("--profile") { Description = "Named profile from ~/.aws/credentials and ~/.aws/config (default: the AWS chain: web identity, environment, AWS_PROFILE or 'default', container credentials, instance metadata)" };

    public void AddTo(Command command)
    {
        command.Options.Add(Endpoint);
        command.Options.Add(Region);
        command.Options.Add(Profile);
    }

    /// <summary>The connection options from the flags, falling back to a config file's values.</summary>
    public S3ConnectionOptions Read(ParseResult parse, int maxConnections, string? configEndpoint = null, string? configRegion = null, string? configProfile = null)
    {
        var endpointText = parse.GetValue(Endpoint) ?? configEndpoint;
        Uri? endpoint = null;
        if (!string.IsNullOrWhiteSpace(endpointText))
        {
            try
            {
                endpoint = S3StoreFactory.Validate(endpointText);
            }
            catch (FormatException ex)
            {
                throw CliException.Usage(ex.Message);
            }
        }

        return new S3ConnectionOptions
        {
            Endpoint = endpoint,
            Region = parse.GetValue(Region) ?? configRegion,
            Profile = parse.GetValue(Profile) ?? configProfile,
            MaxConnections = maxConnections,
        };
    }
}
