using Ferry.Core.Journal;
using Ferry.Core.Storage;

namespace Ferry.Core.Privacy;

/// <summary>What <see cref="DonorErasure.EraseAsync"/> needs: the donor, the study's storage and the local records that may name them.</summary>
public sealed record ErasureRequest
{
    /// <summary>The donor pseudonym (<c>p_</c> and 32 hex digits); nothing else is accepted.</summary>
    public required string Pseudonym { get; init; }

    public required IObjectStore Store { get; init; }

    /// <summary>The study's key prefix (empty or ending in '/'): donations under <c>PREFIX/donations/PSEUDONYM/</c>, exports under <c>PREFIX/exports/</c>.</summary>
    public string Prefix { get; init; } = "";

    /// <summary>The local consent and donation ledger (its entries and the archive copies it lists go); null for none.</summary>
    public DonationLedger? Ledger { get; init; }

    /// <summary>The local transfer journal (its rows naming the donor go); null for none.</summary>
    public TransferJournal? Journal { get; init; }

    /// <summary>Where donations stage their bundles: the erasure waits for running donations there and removes crash leftovers. Null: none.</summary>
    public string? StagingFolder { get; init; }

    /// <summary>How the report names <see cref="StagingFolder"/>: its path unless set. A server shares one staging folder among companies and sends the report to a company's admin, so it names it without the path.</summary>
    public string? StagingName { get; init; }

    /// <summary>Where rewritten exports are built.</summary>
    public required string TemporaryFolder { get; init; }

    /// <summary>How long to wait for donations that are running before giving up (nothing is erased then).</summary>
    public TimeSpan WaitForDonations { get; init; } = TimeSpan.FromMinutes(30);

    public TimeProvider Time { get; init; } = TimeProvider.System;
}
