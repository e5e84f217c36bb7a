using System.Security.Cryptography;
using System.Text;

namespace Ferry.Core.Privacy;

/// <summary>
/// The text a donor consents to, with its version and the SHA-256 of its text (recorded with every consent, so the
/// exact wording can be shown later). A policy file starts with a line <c>Version: X</c>; the rest is the text.
/// </summary>
public sealed record ConsentPolicy(string Version, string Text)
{
    public string Hash { get; } = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Text)));

    /// <summary>Ferry's built-in policy for donating training logs.</summary>
    public static ConsentPolicy Default { get; } = new("2026-11", """
        Donating your training logs to science

        What is sent: the JSON Lines files you choose (*.jsonl.gz), after Ferry has processed every record with the
        study's rules (on your computer with 'ferry donate'; on the study's Ferry server when you donate in the web
        app, which deletes your uploaded files once processed): identifiers (user, session, machine and account ids) are replaced by
        pseudonyms computed with a secret key that stays with the study's operator; contact details, names, IP
        addresses, environments and secrets are removed; regions are cut to their continent (eu-*) and times to the
        day. Lines that cannot be read are left out and counted. File names are not sent.

        Where it goes: one zip per donation, with a manifest (checksums, counts, the rules used) and this consent,
        to the study's storage. With 'ferry donate', the originals move to an archive folder on your computer once
        the upload is verified.

        Your rights: you can withdraw consent at any time (no further donations), and ask for erasure with your donor
        pseudonym, which Ferry shows after each donation: every object of yours in storage, the archive copies Ferry
        knows of and the study's database rows are deleted; only a record that an erasure happened is kept.
        """);

    /// <summary>Reads a policy file; throws <see cref="PrivacyException"/> when it is unreadable or has no <c>Version:</c> line.</summary>
    public static ConsentPolicy Load(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new PrivacyException($"cannot read the policy file {path}: {ex.Message}");
        }

        var newline = text.IndexOf('\n', StringComparison.Ordinal);
        var first = (newline < 0 ? text : text[..newline]).Trim();
        if (!first.StartsWith("Version:", StringComparison.OrdinalIgnoreCase) || first.Length <= 8)
        {
            throw new PrivacyException($"the policy file {path} must start with a line 'Version: X'");
        }

        return new ConsentPolicy(first[8..].Trim(), newline < 0 ? "" : text[(newline + 1)..].Trim());
    }
}
