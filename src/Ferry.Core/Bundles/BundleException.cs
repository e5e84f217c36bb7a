namespace Ferry.Core.Bundles;

/// <summary>A bundle cannot be made from what was given (missing folder, bad section name…); the message names the fix.</summary>
public sealed class BundleException(string message) : Exception(message);
