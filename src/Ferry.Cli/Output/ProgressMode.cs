namespace Ferry.Cli.Output;

/// <summary>How progress is shown.</summary>
internal enum ProgressMode
{
    /// <summary>A live Spectre.Console display (interactive terminal).</summary>
    Live,
    /// <summary>A plain line every few seconds on standard error (pipes, logs, CI).</summary>
    Plain,
    /// <summary>NDJSON progress events on standard output.</summary>
    Json,
    /// <summary>Nothing but the summary.</summary>
    None,
}
