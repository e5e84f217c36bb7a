namespace Ferry.Server;

/// <summary>The server cannot start; the message names the problem and the fix.</summary>
public sealed class ServerStartupException(string message) : Exception(message);
