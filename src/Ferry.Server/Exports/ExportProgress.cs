using Ferry.Core.Transfer;

namespace Ferry.Server.Exports;

/// <summary>A running export's live state, kept in memory while it runs: the phase and the upload's counters.</summary>
internal sealed class ExportProgress
{
    public const string Collecting = "collecting";
    public const string Uploading = "uploading";
    public const string Zipping = "zipping";

    public string Phase { get; set; } = Collecting;

    public TransferProgress Transfer { get; } = new();
}
