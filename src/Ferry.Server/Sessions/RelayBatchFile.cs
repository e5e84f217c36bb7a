namespace Ferry.Server.Sessions;

/// <summary>
/// A file of a relay batch: the path as the client sent it, its registered row, the SHA-256 the client sent
/// (lower-case hex) if any, and whether it is already done (uploaded or skipped: not written again, answered as it stands).
/// </summary>
internal sealed record RelayBatchFile(string ClientPath, SessionFile File, string? Sha256, bool Done);
