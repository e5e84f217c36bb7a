namespace Ferry.Server.Data;

/// <summary>
/// An export's bundle waiting for S3 (<c>export_outbox</c>): the whole bundle folder as a zip (files, reports and Ferry's
/// descriptor), so any replica can deliver it — also one that did not build it, after the one that did died. A replica
/// claims a due entry with a lease (<see cref="LeaseOwner"/> until <see cref="LeaseUntil"/>); an expired lease is
/// claimable again. Belongs to its export's company (tenant filter through <see cref="SessionExport"/>).
/// </summary>
internal sealed class ExportOutboxEntry
{
    public long ExportId { get; set; }

    /// <summary>The bundle's folder name (<c>YYYYMMDD_HHMMSS_slug</c>).</summary>
    public required string Folder { get; set; }

    /// <summary>The bundle folder, zipped (System.IO.Compression), including its <c>.ferry</c> state.</summary>
    public required byte[] Bundle { get; set; }

    public DateTimeOffset NextAttemptAt { get; set; }

    /// <summary>The replica delivering it now (host name and process id); null when nobody is.</summary>
    public string? LeaseOwner { get; set; }

    public DateTimeOffset? LeaseUntil { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
}
