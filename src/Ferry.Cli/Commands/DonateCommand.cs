using System.CommandLine;
using System.Text.Json;
using Ferry.Cli.Donations;
using Ferry.Cli.Output;
using Ferry.Cli.Stores;
using Ferry.Core;
using Ferry.Core.Privacy;

namespace Ferry.Cli.Commands;

/// <summary>
/// <c>ferry donate [DIR]</c>: asks for consent, pseudonymizes training logs on this machine, uploads one verified
/// bundle per donation and archives the originals. See docs/donations.md.
/// </summary>
internal sealed class DonateCommand
{
    private readonly Argument<string?> _folder = new("dir") { Description = "The folder with the files to donate (default: FERRY_HOME/trajectories, or 'folder' in donate.json)", Arity = ArgumentArity.ZeroOrOne };
    private readonly Option<string?> _to = new("--to") { Description = "The study's storage: s3://BUCKET/PREFIX (or 'destination' in donate.json)" };
    private readonly Option<string?> _pattern = new("--pattern") { Description = "Which files (default *.jsonl.gz)" };
    private readonly Option<string?> _policy = new("--policy") { Description = "The study's consent policy (a text file starting 'Version: X'); default: Ferry's" };
    private readonly Option<string?> _consent = new("--consent") { Description = "Agree to the policy of this version without a prompt (for scripts; read it first with --show-policy)" };
    private readonly Option<bool> _showPolicy = new("--show-policy") { Description = "Print the policy and its version, then exit" };
    private readonly Option<string?> _donor = new("--donor") { Description = "Who donates (only its pseudonym leaves this machine); default: 'donor' in donate.json, else the login name" };
    private readonly Option<bool> _json = new("--json") { Description = "Print the result as one JSON object" };
    private readonly Option<string?> _link = new("--link") { Description = "Donate through the study's donation link (https://HOST/donate#TOKEN): no account, no S3 keys, no study key on this machine" };
    private readonly Option<string?> _save = new("--save") { Description = "With --link: write the bundle to this file for the link's web page instead of sending it (nothing is archived)" };
    private readonly StudyOptions _study = new();
    private readonly S3Options _s3 = new();

    public Command Build()
    {
        var command = new Command("donate", "Donate training logs to a study: consent, pseudonymization on this machine, one verified bundle per donation, originals archived afterwards.\n\nExit codes:\n  0  donated; originals moved to DIR/archive\n  1  the upload failed; originals left where they were\n  2  nothing donated: folder, files, consent (or a withdrawn one), key, rules, credentials or storage problem (the line says which)").With(_folder);
        foreach (var option in new Option[] { _to, _pattern, _policy, _consent, _showPolicy, _donor, _json, _link, _save })
        {
            command.Options.Add(option);
        }

        _study.AddTo(command);
        _s3.AddTo(command);
        command.Validators.Add(result =>
        {
            if (result.GetValue(_link) is not null && (result.GetValue(_to) is not null || result.GetValue(_policy) is not null))
            {
                result.AddError("--link takes the study's storage and policy from the link: leave out --to and --policy");
            }
        });
        command.SetAction((parse, cancellationToken) => RunAsync(parse, cancellationToken));
        return command;
    }

    private async Task<int> RunAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        var config = _study.ReadConfig(parse);
        if (parse.GetValue(_link) is { } link)
        {
            return await new LinkDonor(parse.GetValue(_json)).RunAsync(new LinkDonorRequest(link,
                Path.GetFullPath(parse.GetValue(_folder) ?? config?.Folder ?? Path.Combine(FerryPaths.DataDirectory, "trajectories")),
                parse.GetValue(_pattern) ?? config?.Pattern ?? "*.jsonl.gz", parse.GetValue(_donor) ?? config?.Donor ?? Environment.UserName,
                parse.GetValue(_consent), parse.GetValue(_showPolicy), parse.GetValue(_save)), cancellationToken);
        }

        if (parse.GetValue(_save) is not null)
        {
            throw CliException.Usage("--save goes with --link: it writes the bundle for a donation link's web page");
        }

        var policy = ReadPolicy(parse.GetValue(_policy) ?? config?.Policy);
        if (parse.GetValue(_showPolicy))
        {
            Console.Out.WriteLine($"Version: {policy.Version}   (SHA-256 {policy.Hash})\n\n{policy.Text}");
            return ExitCodes.Success;
        }

        var folder = Path.GetFullPath(parse.GetValue(_folder) ?? config?.Folder ?? Path.Combine(FerryPaths.DataDirectory, "trajectories"));
        var destination = parse.GetValue(_to) ?? config?.Destination
            ?? throw CliException.Usage("no destination: give the study's storage with --to s3://BUCKET/PREFIX (or 'destination' in donate.json)");
        var location = StoreConnection.ParseLocation(destination);
        var pseudonymizer = _study.Pseudonymizer(parse, config);
        var donor = parse.GetValue(_donor) ?? config?.Donor ?? Environment.UserName;
        var ledger = new DonationLedger(DonationLedger.DefaultPath);
        var pseudonym = pseudonymizer.Pseudonym(donor);
        if (ledger.Withdrawal(pseudonym) is { } withdrawal)
        {
            // Before any prompt: neither --consent nor a typed 'yes' lifts a withdrawal ('ferry donors consent' does).
            throw CliException.Usage(DataDonation.WithdrawnMessage(pseudonym, withdrawal));
        }

        var consented = Consent(parse, policy);
        var store = StoreConnection.Open(location, _s3.Read(parse, 16, config?.EndpointUrl, config?.AwsRegion, config?.AwsProfile));
        try
        {
            using var journal = JournalFile.Open(null, dryRun: false);
            var result = await DataDonation.DonateAsync(new DonationRequest
            {
                Folder = folder,
                Pattern = parse.GetValue(_pattern) ?? config?.Pattern ?? "*.jsonl.gz",
                Store = store,
                Prefix = location.Prefix,
                Pseudonymizer = pseudonymizer,
                Policy = policy,
                DonorId = donor,
                ConsentedVersion = consented,
                Ledger = ledger,
                Journal = journal,
            }, cancellationToken);
            if (parse.GetValue(_json))
            {
                Console.Out.WriteLine(JsonSerializer.Serialize(new Dictionary<string, object?>
                {
                    ["success"] = result.Success, ["message"] = result.Message, ["donor"] = result.DonorPseudonym, ["files"] = result.Files,
                    ["records"] = result.Records, ["malformed"] = result.Malformed, ["bytes"] = result.Bytes, ["location"] = result.Location,
                }, CliOutputJson.Default.DictionaryStringObject));
            }
            else if (result.Success)
            {
                Console.Out.WriteLine(result.Message);
            }

            if (!result.Success)
            {
                throw new CliException(result.UploadFailed ? ExitCodes.SomeFailed : ExitCodes.UsageOrSetup, result.Message);
            }

            return ExitCodes.Success;
        }
        finally
        {
            (store as IDisposable)?.Dispose();
        }
    }

    private static ConsentPolicy ReadPolicy(string? path)
    {
        try
        {
            return path is null ? ConsentPolicy.Default : ConsentPolicy.Load(path);
        }
        catch (PrivacyException ex)
        {
            throw CliException.Usage(ex.Message);
        }
    }

    /// <summary>The version agreed to: --consent, or a "yes" typed at a terminal after reading the policy; null when declined.</summary>
    private string? Consent(ParseResult parse, ConsentPolicy policy) => Consent(parse.GetValue(_consent), policy);

    /// <summary>As <see cref="Consent(ParseResult, ConsentPolicy)"/>, with the --consent value given.</summary>
    internal static string Consent(string? consent, ConsentPolicy policy)
    {
        if (consent is { } version)
        {
            return version == policy.Version ? version
                : throw CliException.Usage($"--consent {version} is not the current policy version {policy.Version}; read it with 'ferry donate --show-policy' and consent to that version");
        }

        if (Console.IsInputRedirected)
        {
            throw CliException.Usage($"no consent given; read the policy with 'ferry donate --show-policy', then run again with --consent {policy.Version} (or answer the prompt at a terminal)");
        }

        Console.Out.WriteLine($"{policy.Text}\n\nPolicy version {policy.Version}.");
        Console.Out.Write("Type 'yes' to donate under this policy, anything else to stop: ");
        var answer = Console.ReadLine()?.Trim();
        return string.Equals(answer, "yes", StringComparison.OrdinalIgnoreCase)
            ? policy.Version
            : throw CliException.Usage("no consent given; nothing was donated");
    }
}
