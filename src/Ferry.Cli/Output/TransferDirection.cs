namespace Ferry.Cli.Output;

/// <summary>Which way a run moved data, for the words of its summary.</summary>
internal enum TransferDirection
{
    Upload,
    Download,
}
