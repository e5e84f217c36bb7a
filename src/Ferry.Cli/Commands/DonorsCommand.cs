using System.CommandLine;
using Ferry.Cli.Output;
using Ferry.Cli.Server;
using Ferry.Cli.Stores;
using Ferry.Client;
using Ferry.Core;
using Ferry.Core.Privacy;

namespace Ferry.Cli.Commands;

/// <summary>
/// <c>ferry donors</c>: a donor's rights and the study's key. <c>erase PSEUDONYM</c> (every object in the study's storage,
/// the archive copies and ledger entries Ferry knows of; or, with <c>--server</c>, the server's erasure),
/// <c>withdraw PSEUDONYM</c>, <c>consent PSEUDONYM</c> (renews consent after a withdrawal, at a terminal only),
/// <c>pseudonym ID</c>, <c>new-key FILE</c>.
/// </summary>
internal sealed class DonorsCommand(TimeProvider time)
{
    private readonly Argument<string> _pseudonym = new("pseudonym") { Description = "The donor pseudonym (p_ and 32 hex digits), as shown after a donation" };
    private readonly Argument<string> _id = new("id") { Description = "The donor's identifier (as given to --donor)" };
    private readonly Argument<string> _file = new("file") { Description = "Where to write the new key (must not exist)" };
    private readonly Option<string?> _to = new("--to") { Description = "The study's storage: s3://BUCKET/PREFIX (or 'destination' in donate.json)" };
    private readonly Option<string?> _server = new("--server") { Description = "Erase on a Ferry server instead (after 'ferry login URL'; administrators)" };
    private readonly Option<bool> _json = new("--json") { Description = "Print the erasure report as one JSON object" };
    private readonly Option<string?> _policy = new("--policy") { Description = "The study's consent policy (a text file starting 'Version: X'); default: 'policy' in donate.json, else Ferry's" };
    private readonly StudyOptions _study = new();
    private readonly S3Options _s3 = new();

    public Command Build()
    {
        var command = new Command("donors", "A donor's rights (erasure, withdrawal) and the study's pseudonymization key.");
        var erase = new Command("erase", "Erase a donor, leaving nothing: waits for donations running here, removes crash staging, deletes every object (and, on a versioned bucket, every version and delete marker) under the donor's prefix, rewrites every export holding them, deletes the archive copies, ledger entries and journal rows; prints what it checked and removed, and keeps an audit entry without personal data.\n\nExit codes:\n  0  erased (nothing of the donor is left)\n  1  the storage failed part-way (run it again)\n  2  not a pseudonym, no destination, or the storage or server refused").With(_pseudonym, _to, _server, _json);
        erase.Options.Add(_study.Config);
        _s3.AddTo(erase);
        erase.SetAction((parse, cancellationToken) => EraseAsync(parse, cancellationToken));
        command.Subcommands.Add(erase);

        command.Subcommands.Add(new Command("withdraw", "Record that a donor withdraws consent: every later donation under it is refused (exit 2, nothing sent) until 'ferry donors consent' renews it at a terminal.").With(_pseudonym).Runs(Withdraw));

        var consent = new Command("consent", "Renew a donor's consent after a withdrawal. Interactive only: shows the policy and asks to type its version at a terminal; there is no flag for scripts.\n\nExit codes:\n  0  consent renewed (or there was no withdrawal to lift)\n  2  not a pseudonym, not at a terminal, or the version typed did not match").With(_pseudonym, _policy);
        consent.Options.Add(_study.Config);
        consent.SetAction(Renew);
        command.Subcommands.Add(consent);

        var pseudonym = new Command("pseudonym", "Print the donor pseudonym of an identifier under the study's key and rules.").With(_id);
        _study.AddTo(pseudonym);
        pseudonym.SetAction(parse =>
        {
            Console.Out.WriteLine(_study.Pseudonymizer(parse, _study.ReadConfig(parse)).Pseudonym(parse.GetValue(_id)!));
            return ExitCodes.Success;
        });
        command.Subcommands.Add(pseudonym);

        var newKey = new Command("new-key", "Create a study's secret pseudonymization key (32 random bytes, base64, mode 0600). Keep it away from the data; back it up: without it, pseudonyms cannot be reproduced.").With(_file);
        newKey.SetAction(parse =>
        {
            var file = Path.GetFullPath(parse.GetValue(_file)!);
            try
            {
                PseudonymKey.Write(PseudonymKey.Generate(), file);
            }
            catch (IOException ex)
            {
                throw CliException.Usage($"cannot create {file}: {ex.Message}; pick a file that does not exist yet");
            }

            Console.Out.WriteLine($"Created the key {file}");
            return ExitCodes.Success;
        });
        command.Subcommands.Add(newKey);
        return command;
    }

    private async Task<int> EraseAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        var pseudonym = parse.GetValue(_pseudonym)!;
        if (!DonorErasure.IsPseudonym(pseudonym))
        {
            throw CliException.Usage($"'{pseudonym}' is not a donor pseudonym (p_ and 32 hex digits, as shown after a donation)");
        }

        if (parse.GetValue(_server) is { } serverText)
        {
            using var api = SignedInServer.Connect(serverText, time);
            var server = api.Server;
            try
            {
                var erased = await api.EraseDonorAsync(pseudonym, cancellationToken);
                if (parse.GetValue(_json))
                {
                    Console.Out.WriteLine(erased.ToJsonString());
                    return ExitCodes.Success;
                }

                var text = new System.Text.StringBuilder($"Erased {pseudonym} on {server.GetLeftPart(UriPartial.Authority)}: {erased["objects_deleted"]} object(s) in storage, {erased["rows_deleted"]} database row(s); audit {erased["erasure_id"]}. Checked:");
                foreach (var place in erased["places"]?.AsArray() ?? [])
                {
                    text.Append(System.Globalization.CultureInfo.InvariantCulture, $"\n  {place!["place"],-26} {place["checked"],6} checked {place["removed"],6} removed  {place["where"]}: {place["detail"]}");
                }

                Console.Out.WriteLine(text.ToString());
                return ExitCodes.Success;
            }
            catch (FerryApiException ex)
            {
                throw CliException.Usage(ex.Message);
            }
        }

        var config = _study.ReadConfig(parse);
        var destination = parse.GetValue(_to) ?? config?.Destination
            ?? throw CliException.Usage("no destination: give the study's storage with --to s3://BUCKET/PREFIX (or 'destination' in donate.json), or --server URL");
        var location = StoreConnection.ParseLocation(destination);
        var store = StoreConnection.Open(location, _s3.Read(parse, 16, config?.EndpointUrl, config?.AwsRegion, config?.AwsProfile));
        try
        {
            await StoreConnection.CheckAccessAsync(store, cancellationToken);
            using var journal = JournalFile.Open(null, dryRun: false);
            var report = await DonorErasure.EraseAsync(new ErasureRequest
            {
                Pseudonym = pseudonym, Store = store, Prefix = location.Prefix, Ledger = new DonationLedger(DonationLedger.DefaultPath), Journal = journal,
                StagingFolder = DataDonation.DefaultStagingFolder, TemporaryFolder = Path.Combine(Core.FerryPaths.DataDirectory, "donations", "tmp"),
            }, cancellationToken);
            if (parse.GetValue(_json))
            {
                Console.Out.WriteLine(System.Text.Json.JsonSerializer.Serialize(new Dictionary<string, object?>
                {
                    ["erased"] = pseudonym, ["erasure_id"] = report.Id, ["at"] = report.At,
                    ["places"] = report.Places.Select(p => new Dictionary<string, object?> { ["place"] = p.Place, ["where"] = p.Where, ["checked"] = p.Checked, ["removed"] = p.Removed, ["detail"] = p.Detail }).ToList(),
                }, CliOutputJson.Default.DictionaryStringObject));
            }
            else
            {
                Console.Out.WriteLine(ErasureText(pseudonym, report));
            }

            return ExitCodes.Success;
        }
        catch (PrivacyException ex)
        {
            throw CliException.Usage(ex.Message);
        }
        catch (Core.Storage.StoreException ex)
        {
            throw new CliException(ExitCodes.SomeFailed, $"the erasure stopped part-way: {ex.Message}; run it again");
        }
        finally
        {
            (store as IDisposable)?.Dispose();
        }
    }

    /// <summary>The erasure report for people: one line per place checked.</summary>
    internal static string ErasureText(string pseudonym, ErasureReport report)
    {
        var text = new System.Text.StringBuilder($"Erased {pseudonym}; audit {report.Id}. Checked:\n");
        foreach (var place in report.Places)
        {
            text.Append(System.Globalization.CultureInfo.InvariantCulture, $"  {place.Place,-26} {place.Checked,6} checked {place.Removed,6} removed  {place.Where}: {place.Detail}\n");
        }

        return text.ToString().TrimEnd('\n');
    }

    /// <summary>
    /// Lifts a withdrawal: only a person at a terminal who has been shown the policy and types its version. Standard input
    /// that is not a terminal (a pipe, a file, a script) is refused, so no script can undo a withdrawal.
    /// </summary>
    private int Renew(ParseResult parse)
    {
        var pseudonym = parse.GetValue(_pseudonym)!;
        if (!DonorErasure.IsPseudonym(pseudonym))
        {
            throw CliException.Usage($"'{pseudonym}' is not a donor pseudonym (p_ and 32 hex digits, as shown after a donation)");
        }

        var ledger = new DonationLedger(DonationLedger.DefaultPath);
        if (ledger.Withdrawal(pseudonym) is not { } withdrawal)
        {
            Console.Out.WriteLine($"{pseudonym} has no withdrawn consent to renew; 'ferry donate' asks for consent as usual");
            return ExitCodes.Success;
        }

        if (Console.IsInputRedirected)
        {
            throw CliException.Usage($"'ferry donors consent' renews consent only at a terminal (type the policy version when asked); standard input is not a terminal, so consent for {pseudonym} stays withdrawn");
        }

        ConsentPolicy policy;
        try
        {
            var path = parse.GetValue(_policy) ?? _study.ReadConfig(parse)?.Policy;
            policy = path is null ? ConsentPolicy.Default : ConsentPolicy.Load(path);
        }
        catch (PrivacyException ex)
        {
            throw CliException.Usage(ex.Message);
        }

        Console.Out.WriteLine($"{policy.Text}\n\nPolicy version {policy.Version}. {pseudonym} withdrew consent on {Timestamps.ForPeople(withdrawal.At)}.");
        Console.Out.Write($"To consent again to donations under this policy, type its version ({policy.Version}); anything else keeps consent withdrawn: ");
        var answer = Console.ReadLine()?.Trim();
        if (answer != policy.Version)
        {
            throw CliException.Usage($"the version typed is not {policy.Version}; consent for {pseudonym} stays withdrawn");
        }

        var record = new ConsentRecord(pseudonym, ConsentRecord.Renewed, time.GetUtcNow(), policy.Version, policy.Hash, "donations after a withdrawal, renewed at a terminal", withdrawal.Study);
        ledger.Append(new LedgerEntry { Type = LedgerEntry.ConsentType, At = record.At, Donor = pseudonym, Consent = record });
        Console.Out.WriteLine($"Consent renewed for {pseudonym} under policy version {policy.Version} (recorded in {ledger.Path}); 'ferry donate' may send donations again");
        return ExitCodes.Success;
    }

    private int Withdraw(ParseResult parse)
    {
        var pseudonym = parse.GetValue(_pseudonym)!;
        if (!DonorErasure.IsPseudonym(pseudonym))
        {
            throw CliException.Usage($"'{pseudonym}' is not a donor pseudonym (p_ and 32 hex digits, as shown after a donation)");
        }

        var ledger = new DonationLedger(DonationLedger.DefaultPath);
        var policy = ConsentPolicy.Default;
        var record = new ConsentRecord(pseudonym, ConsentRecord.Withdrawn, time.GetUtcNow(), ledger.LatestConsent(pseudonym)?.PolicyVersion ?? policy.Version,
            ledger.LatestConsent(pseudonym)?.PolicyHash ?? policy.Hash, "all donations", ledger.LatestConsent(pseudonym)?.Study ?? "");
        ledger.Append(new LedgerEntry { Type = LedgerEntry.ConsentType, At = record.At, Donor = pseudonym, Consent = record });
        Console.Out.WriteLine($"Consent withdrawn for {pseudonym} (recorded in {ledger.Path}): 'ferry donate' refuses every donation under it until it is renewed at a terminal with 'ferry donors consent {pseudonym}'; earlier donations stay until erased with 'ferry donors erase {pseudonym}'");
        return ExitCodes.Success;
    }
}
