namespace Ferry.Core.Privacy;

/// <summary>A donation, a rules file, a key or a consent cannot be used as given; the message names the fix.</summary>
public class PrivacyException(string message) : Exception(message);
