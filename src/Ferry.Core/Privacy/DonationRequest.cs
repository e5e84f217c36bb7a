using Ferry.Core.Journal;
using Ferry.Core.Storage;

namespace Ferry.Core.Privacy;

/// <summary>What <see cref="DataDonation.DonateAsync"/> needs: the files, the study's rules and key, the consent, the destination.</summary>
public sealed record DonationRequest
{
    /// <summary>The folder holding the files (searched recursively, its <c>archive/</c> left out).</summary>
    public required string Folder { get; init; }

    /// <summary>Which files: a glob on the file name. Default <c>*.jsonl.gz</c>.</summary>
    public string Pattern { get; init; } = "*.jsonl.gz";

    public required IObjectStore Store { get; init; }

    /// <summary>Key prefix of the study in the store (empty or ending in '/'); bundles go to <c>PREFIX/donations/PSEUDONYM/</c>.</summary>
    public string Prefix { get; init; } = "";

    public required Pseudonymizer Pseudonymizer { get; init; }

    public required ConsentPolicy Policy { get; init; }

    /// <summary>Who donates (a user name, an e-mail address…); only its pseudonym leaves this call. Give this or <see cref="DonorPseudonym"/>.</summary>
    public string? DonorId { get; init; }

    /// <summary>The donor's pseudonym when the caller has already computed it (the server makes it from the user id).</summary>
    public string? DonorPseudonym { get; init; }

    /// <summary>The policy version the donor has just agreed to; null when they have not agreed.</summary>
    public string? ConsentedVersion { get; init; }

    /// <summary>Where consent and donations are recorded; null for none.</summary>
    public DonationLedger? Ledger { get; init; }

    public TransferJournal? Journal { get; init; }

    /// <summary>Where originals go once the upload is verified. Default <c>FOLDER/archive</c>.</summary>
    public string? ArchiveFolder { get; init; }

    /// <summary>Whether the outcome's message says where the originals went (false when the caller deletes them afterwards, as the server does).</summary>
    public bool TellsWhereOriginalsWent { get; init; } = true;

    /// <summary>Where the bundle is built. Default <c>FERRY_HOME/donations/staging</c>.</summary>
    public string? StagingFolder { get; init; }

    /// <summary>
    /// Called with each pseudonymized part (a <c>.jsonl.gz</c> file) before the bundle is uploaded; the server stores the
    /// records for statistics and exports. If the donation then fails, the caller undoes what it stored.
    /// </summary>
    public Func<string, CancellationToken, Task>? OnPseudonymizedPart { get; init; }

    /// <summary>
    /// Caps on the whole donation once decompressed (bytes, records, line length), enforced while each file streams:
    /// passing one fails the donation before anything is uploaded. Default: none (lines over 16 MiB are malformed).
    /// </summary>
    public DonationLimits? Limits { get; init; }

    public TimeProvider Time { get; init; } = TimeProvider.System;
}
