namespace Ferry.Server.Sessions;

/// <summary>A file of a relay batch: the path as the client sent it, its registered row, and the SHA-256 the client sent (lower-case hex), if any.</summary>
internal sealed record RelayBatchFile(string ClientPath, SessionFile File, string? Sha256);
