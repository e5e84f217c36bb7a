using System.CommandLine;
using Ferry.Cli.Configuration;
using Ferry.Core.Privacy;

namespace Ferry.Cli.Commands;

/// <summary>The options that name a study's rules and key, shared by <c>donate</c> and <c>donors</c>.</summary>
internal sealed class StudyOptions
{
    public Option<string?> Rules { get; } = new("--rules") { Description = "The study's pseudonymization rules (JSON; see docs/donations.md). Default: Ferry's rules for training logs", Recursive = true };
    public Option<string?> Study { get; } = new("--study") { Description = "The study's name, when --rules is not given (default ferry-donations)", Recursive = true };
    public Option<string?> KeyFile { get; } = new("--key-file") { Description = "The study's secret pseudonymization key (or FERRY_PSEUDONYM_KEY); create one with 'ferry donors new-key FILE'", Recursive = true };
    public Option<string?> Config { get; } = new("--config") { Description = "Donation settings (default FERRY_HOME/donate.json): folder, pattern, destination, endpoint_url, aws_region, aws_profile, rules, study, policy, key_file, donor", Recursive = true };

    public void AddTo(Command command)
    {
        command.Options.Add(Rules);
        command.Options.Add(Study);
        command.Options.Add(KeyFile);
        command.Options.Add(Config);
    }

    public DonateConfigFile? ReadConfig(ParseResult parse) => DonateConfigFile.Load(parse.GetValue(Config));

    public Pseudonymizer Pseudonymizer(ParseResult parse, DonateConfigFile? config)
    {
        try
        {
            var rulesFile = parse.GetValue(Rules) ?? config?.Rules;
            var rules = rulesFile is not null
                ? PseudonymizationRules.Load(rulesFile)
                : PseudonymizationRules.TrainingLogs(parse.GetValue(Study) ?? config?.Study ?? "ferry-donations");
            return new Pseudonymizer(rules, Key(parse, config));
        }
        catch (PrivacyException ex)
        {
            throw CliException.Usage(ex.Message);
        }
    }

    private PseudonymKey Key(ParseResult parse, DonateConfigFile? config)
    {
        if ((parse.GetValue(KeyFile) ?? config?.KeyFile) is { } file)
        {
            return PseudonymKey.Load(file);
        }

        if (Environment.GetEnvironmentVariable("FERRY_PSEUDONYM_KEY") is { Length: > 0 } text)
        {
            return PseudonymKey.FromBase64(text, "FERRY_PSEUDONYM_KEY");
        }

        throw new PrivacyException("no pseudonymization key: give the study's key with --key-file FILE or FERRY_PSEUDONYM_KEY (the study's operator has it; a new study creates one with 'ferry donors new-key FILE')");
    }
}
