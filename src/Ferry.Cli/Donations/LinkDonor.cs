using System.Text.Json;
using Ferry.Cli.Commands;
using Ferry.Cli.Output;
using Ferry.Core;
using Ferry.Core.Privacy;

namespace Ferry.Cli.Donations;

/// <summary>What <c>ferry donate --link</c> was given.</summary>
internal sealed record LinkDonorRequest(string Link, string Folder, string Pattern, string Donor, string? Consent, bool ShowPolicy, string? SaveTo);

/// <summary>
/// <c>ferry donate --link URL</c>: reads the link's policy, rules and public salt; asks for consent; pseudonymizes and
/// scrubs on this machine with salted digests (no key here: the study's key stays on the server); sends the bundle in
/// resumable chunks; and moves the originals to the archive only after the server confirmed the donation.
/// </summary>
internal sealed class LinkDonor(bool json)
{
    public async Task<int> RunAsync(LinkDonorRequest request, CancellationToken cancellationToken)
    {
        var (server, token) = LinkDonationClient.Parse(request.Link);
        using var client = new LinkDonationClient(server, token);
        var info = await client.InfoAsync(cancellationToken);
        var policy = new ConsentPolicy(info.PolicyVersion, info.PolicyText);
        if (policy.Hash != info.PolicyHash)
        {
            throw CliException.Usage($"{server} sent a policy whose text does not match its hash; nothing was donated");
        }

        if (request.ShowPolicy)
        {
            Console.Out.WriteLine($"Study {info.Study} ({info.Label}). Version: {policy.Version}   (SHA-256 {policy.Hash})\n\n{policy.Text}");
            return ExitCodes.Success;
        }

        PseudonymizationRules rules;
        byte[] salt;
        try
        {
            rules = PseudonymizationRules.FromJson(info.Rules, "the link's rules");
            salt = Convert.FromBase64String(info.Salt);
        }
        catch (Exception ex) when (ex is PrivacyException or FormatException)
        {
            throw CliException.Usage($"{server} sent rules or a salt Ferry cannot read ({ex.Message}); nothing was donated");
        }

        if (rules.Hash() != info.RulesHash)
        {
            throw CliException.Usage($"{server} sent rules whose hash does not match; nothing was donated");
        }

        var folder = request.Folder;
        if (!Directory.Exists(folder))
        {
            throw CliException.Usage($"the folder {folder} does not exist; give the folder that holds your {request.Pattern} files");
        }

        var archive = Path.Combine(folder, "archive");
        var files = DataDonation.FindFiles(folder, request.Pattern, archive);
        if (files.Count == 0)
        {
            throw CliException.Usage($"no files matching {request.Pattern} in {folder}; nothing to donate");
        }

        var consented = DonateCommand.Consent(request.Consent, policy);
        var digests = Pseudonymizer.WithSaltedDigests(rules, salt);
        var staging = Path.Combine(FerryPaths.DataDirectory, "donations", "staging", Guid.NewGuid().ToString("N"));
        try
        {
            DigestBundleResult bundle;
            try
            {
                bundle = await DigestBundle.CreateAsync(files, digests, policy, digests.Pseudonym(request.Donor), staging, TimeProvider.System, cancellationToken);
            }
            catch (PrivacyException ex)
            {
                throw CliException.Usage(ex.Message);
            }

            if (request.SaveTo is { } saveTo)
            {
                File.Copy(bundle.Path, saveTo, overwrite: false);
                Console.Out.WriteLine($"Wrote {Path.GetFullPath(saveTo)} ({files.Count} file(s), {bundle.Manifest.Records:N0} record(s), identifiers as salted digests); open the donation link in a browser to send it. Nothing was archived.");
                return ExitCodes.Success;
            }

            if (bundle.Length > info.MaxBytes)
            {
                throw CliException.Usage($"the bundle has {bundle.Length:N0} bytes, this link accepts at most {info.MaxBytes:N0}; donate fewer files at a time (--pattern)");
            }

            var upload = await client.UploadAsync(bundle.Path, bundle.Sha256, consented, cancellationToken);
            var donation = await client.FinishAsync(upload, cancellationToken);

            // Confirmed by the server: only now are the originals moved, and the ledger written.
            var now = DateTimeOffset.UtcNow;
            var ledger = new DonationLedger(DonationLedger.DefaultPath);
            var moved = DigestBundle.Archive(folder, files, archive);
            ledger.Append(new LedgerEntry
            {
                Type = LedgerEntry.ConsentType, At = now, Donor = donation.Donor,
                Consent = new ConsentRecord(donation.Donor, ConsentRecord.Granted, now, policy.Version, policy.Hash, $"{request.Pattern} files donated through a donation link", rules.Study),
            });
            ledger.Append(new LedgerEntry { Type = LedgerEntry.DonationType, At = now, Donor = donation.Donor, Location = donation.Location, Archived = moved, Records = donation.Records });
            var scrubbed = bundle.Manifest.Scrubbed.Values.Sum();
            var message = $"Donated {files.Count} file(s), {donation.Records:N0} record(s) through the donation link ({info.Label}) to {donation.Location}"
                + (bundle.Manifest.Malformed > 0 ? $"; {bundle.Manifest.Malformed:N0} malformed line(s) were left out" : "")
                + (scrubbed > 0 ? $"; {scrubbed:N0} piece(s) of personal data or secrets were replaced in free text" : "")
                + $"; originals moved to {archive}. Your donor pseudonym: {donation.Donor} (keep it to withdraw or ask for erasure)";
            Console.Out.WriteLine(json
                ? JsonSerializer.Serialize(new Dictionary<string, object?>
                {
                    ["success"] = true, ["message"] = message, ["donor"] = donation.Donor, ["files"] = files.Count, ["records"] = donation.Records,
                    ["malformed"] = donation.Malformed, ["bytes"] = donation.Bytes, ["location"] = donation.Location,
                }, CliOutputJson.Default.DictionaryStringObject)
                : message);
            return ExitCodes.Success;
        }
        finally
        {
            if (Directory.Exists(staging))
            {
                Directory.Delete(staging, recursive: true);
            }
        }
    }
}
