namespace Ferry.Core.Storage;

/// <summary>Recognizes credentials copied from examples and templates instead of real ones.</summary>
public static class CredentialPlaceholders
{
    private static readonly string[] Exact =
    [
        "AKIAIOSFODNN7EXAMPLE",
        "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        "AKIAI44QH8DHBEXAMPLE",
        "je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY",
    ];

    private static readonly string[] Fragments =
    [
        "placeholder", "your-key", "your_key", "yourkey", "your-secret", "your_secret", "yoursecret",
        "your-access", "your_access", "changeme", "change-me", "replace-me", "replace_me", "xxxxxxxx", "<", ">", "example",
    ];

    /// <summary>True when <paramref name="value"/> is empty, an AWS documentation example, or text such as "PLACEHOLDER" or "your-key".</summary>
    public static bool IsPlaceholder(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return true;
        }

        var trimmed = value.Trim();
        return Exact.Contains(trimmed, StringComparer.Ordinal)
            || Fragments.Any(f => trimmed.Contains(f, StringComparison.OrdinalIgnoreCase))
            || trimmed.All(c => c == trimmed[0]) && trimmed.Length > 3;
    }
}
