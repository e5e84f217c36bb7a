using System.CommandLine;
using System.Globalization;
using Ferry.Cli.Server;
using Ferry.Client;
using Ferry.Client.Contracts;

namespace Ferry.Cli.Commands;

/// <summary>
/// <c>ferry storage add|list|test|remove|grant --server URL</c>: a Ferry server's storage locations and grants, for its
/// system administrator (after <c>ferry login URL</c>). A secret access key is read from FERRY_STORAGE_SECRET or standard
/// input, never from the command line.
/// </summary>
internal sealed class StorageCommand
{
    public const string SecretVariable = "FERRY_STORAGE_SECRET";

    private readonly Option<string> _server = new("--server") { Description = "The Ferry server (after 'ferry login URL' as its system administrator)", Required = true, Recursive = true };
    private readonly Argument<string> _name = new("name") { Description = "The location's name" };
    private readonly Argument<string> _location = new("location") { Description = "A location's name or id" };
    private readonly Option<string?> _endpoint = new("--endpoint") { Description = "S3 endpoint such as https://s3.example.org (default: AWS)" };
    private readonly Option<string?> _region = new("--region") { Description = "Region to sign for (default us-east-1)" };
    private readonly Option<string?> _profile = new("--profile") { Description = "Use this profile of the server's AWS config files" };
    private readonly Option<string?> _accessKeyId = new("--access-key-id") { Description = $"Store this access key on the server (encrypted); the secret comes from {SecretVariable} or standard input" };
    private readonly Option<string> _bucket = new("--bucket") { Description = "Bucket to probe (test) or bucket pattern to grant: a name or prefix-*", Required = true };
    private readonly Option<long> _company = new("--company") { Description = "Company id to grant to", Required = true };
    private readonly Option<bool> _shared = new("--shared") { Description = "Allow another company with a shared grant on the same bucket" };
    private readonly Option<string> _format = new("--format") { Description = "table or json", DefaultValueFactory = _ => "table" };

    public Command Build()
    {
        var command = new Command("storage", "A Ferry server's storage locations and which company may use which buckets (system administrator).\n\nExit codes:\n  0  done\n  1  a location test failed\n  2  usage, sign-in, or the server refused").With(_server);

        command.Subcommands.Add(new Command("add", "Add a storage location: endpoint, region and where the server's credentials come from (default chain, --profile, or --access-key-id).").With(_name, _endpoint, _region, _profile, _accessKeyId).Runs((parse, cancellationToken) => RunAsync(parse, api => AddAsync(parse, api, cancellationToken))));

        command.Subcommands.Add(new Command("list", "List the storage locations and their grants (secrets are never shown).").With(_format).Runs((parse, cancellationToken) => RunAsync(parse, api => ListAsync(parse, api, cancellationToken))));

        command.Subcommands.Add(new Command("test", "List a bucket at the location and write, read back and delete a small probe object.").With(_location, _bucket).Runs((parse, cancellationToken) => RunAsync(parse, api => TestAsync(parse, api, cancellationToken))));

        command.Subcommands.Add(new Command("remove", "Remove a storage location that no project uses.").With(_location).Runs((parse, cancellationToken) => RunAsync(parse, api => RemoveAsync(parse, api, cancellationToken))));

        command.Subcommands.Add(new Command("grant", "Let a company use buckets matching --bucket (a name or prefix-*) at a location.").With(_location, _company, _bucket, _shared).Runs((parse, cancellationToken) => RunAsync(parse, api => GrantAsync(parse, api, cancellationToken))));
        command.Subcommands.Add(new StorageRootsCommand(_server).Build());
        return command;
    }

    private Task<int> RunAsync(ParseResult parse, Func<FerryApiClient, Task<int>> action) => SignedInServer.RunAsync(parse.GetValue(_server)!, action);

    private async Task<int> AddAsync(ParseResult parse, FerryApiClient api, CancellationToken cancellationToken)
    {
        var profile = parse.GetValue(_profile);
        var keyId = parse.GetValue(_accessKeyId);
        if (profile is not null && keyId is not null)
        {
            throw CliException.Usage("give --profile or --access-key-id, not both");
        }

        string? secret = null;
        if (keyId is not null)
        {
            secret = Environment.GetEnvironmentVariable(SecretVariable) is { Length: > 0 } fromEnvironment ? fromEnvironment : Console.In.ReadLine()?.Trim();
            if (string.IsNullOrEmpty(secret))
            {
                throw CliException.Usage($"--access-key-id needs the secret access key in {SecretVariable} or on standard input");
            }
        }

        var body = await api.CallAsync(HttpMethod.Post, "api/storage-locations", new StorageLocationRequest(parse.GetValue(_name), parse.GetValue(_endpoint), parse.GetValue(_region),
            AddressingStyle: null, keyId is not null ? "keys" : profile is not null ? "profile" : "default", profile, keyId, secret), cancellationToken);
        Console.Out.WriteLine($"Added storage location {body!["id"]} '{body["name"]}' ({body["endpoint_url"]?.GetValue<string>() ?? "AWS"}, {body["region"]}, credentials: {body["credential_source"]})");
        return ExitCodes.Success;
    }

    private async Task<int> ListAsync(ParseResult parse, FerryApiClient api, CancellationToken cancellationToken)
    {
        var locations = (await api.CallAsync(HttpMethod.Get, "api/storage-locations", null, cancellationToken))!.AsArray();
        if (parse.GetValue(_format) == "json")
        {
            Console.Out.WriteLine(locations.ToJsonString());
            return ExitCodes.Success;
        }

        if (locations.Count == 0)
        {
            Console.Out.WriteLine("No storage locations yet; add one with 'ferry storage add NAME --endpoint URL --server URL'.");
            return ExitCodes.Success;
        }

        Console.Out.WriteLine($"{"ID",5}  {"NAME",-24}  {"ENDPOINT",-32}  {"REGION",-12}  {"CREDENTIALS",-12}  GRANTS (company: buckets)");
        foreach (var l in locations)
        {
            var grants = string.Join(", ", l!["grants"]!.AsArray().Select(g => $"{g!["company_id"]}: {g["bucket_pattern"]}{(g["shared"]!.GetValue<bool>() ? " (shared)" : "")}"));
            Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{l["id"],5}  {l["name"],-24}  {l["endpoint_url"]?.GetValue<string>() ?? "AWS",-32}  {l["region"],-12}  {l["credential_source"],-12}  {(grants.Length == 0 ? "-" : grants)}"));
        }

        return ExitCodes.Success;
    }

    private async Task<int> TestAsync(ParseResult parse, FerryApiClient api, CancellationToken cancellationToken)
    {
        var id = await ResolveAsync(api, parse.GetValue(_location)!, cancellationToken);
        var answer = FerryApiClient.Read<StorageTestResponse>(await api.CallAsync(HttpMethod.Post, $"api/storage-locations/{id}/test", new StorageTestRequest(parse.GetValue(_bucket)), cancellationToken));
        (answer.Ok ? Console.Out : Console.Error).WriteLine((answer.Ok ? "" : "ferry: ") + answer.Message);
        return answer.Ok ? ExitCodes.Success : ExitCodes.SomeFailed;
    }

    private async Task<int> RemoveAsync(ParseResult parse, FerryApiClient api, CancellationToken cancellationToken)
    {
        var id = await ResolveAsync(api, parse.GetValue(_location)!, cancellationToken);
        await api.CallAsync(HttpMethod.Delete, $"api/storage-locations/{id}", null, cancellationToken);
        Console.Out.WriteLine($"Removed storage location {id}");
        return ExitCodes.Success;
    }

    private async Task<int> GrantAsync(ParseResult parse, FerryApiClient api, CancellationToken cancellationToken)
    {
        var id = await ResolveAsync(api, parse.GetValue(_location)!, cancellationToken);
        var grant = (await api.CallAsync(HttpMethod.Post, $"api/storage-locations/{id}/grants",
            new StorageGrantRequest(parse.GetValue(_company), parse.GetValue(_bucket), parse.GetValue(_shared)), cancellationToken))!;
        Console.Out.WriteLine($"Granted {grant["bucket_pattern"]} at storage location {id} to company {grant["company_id"]}{(grant["shared"]!.GetValue<bool>() ? " (shared)" : "")}");
        return ExitCodes.Success;
    }

    /// <summary>The id of the location named or numbered <paramref name="location"/>; a usage error when there is none.</summary>
    private static async Task<long> ResolveAsync(FerryApiClient api, string location, CancellationToken cancellationToken)
    {
        var locations = (await api.CallAsync(HttpMethod.Get, "api/storage-locations", null, cancellationToken))!.AsArray();
        var found = locations.FirstOrDefault(l => l!["name"]!.GetValue<string>() == location)
            ?? (long.TryParse(location, NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? locations.FirstOrDefault(l => l!["id"]!.GetValue<long>() == id) : null);
        return found?["id"]!.GetValue<long>() ?? throw CliException.Usage($"no storage location '{location}' on the server; list them with 'ferry storage list --server URL'");
    }
}
