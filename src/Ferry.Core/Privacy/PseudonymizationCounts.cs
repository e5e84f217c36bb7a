namespace Ferry.Core.Privacy;

/// <summary>What one pass over a JSON Lines stream did: records written, lines refused as malformed, blank lines skipped.</summary>
public sealed record PseudonymizationCounts(long Records, long Malformed, long Blank);
