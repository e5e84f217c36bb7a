using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace Ferry.Core.Privacy;

/// <summary>
/// The form an identifier takes on a donor's machine when they donate through a donation link: <c>d_</c> and the 64 hex
/// digits of SHA-256(salt ∥ study ∥ 0 ∥ value). The salt is public per study (the link serves it), so a digest hides an
/// identifier only from someone who cannot guess it; it is therefore never stored: the server turns each digest into the
/// study's keyed pseudonym (<see cref="DigestRekeyer"/>) before anything reaches the database or the bucket.
/// </summary>
public static partial class SaltedDigest
{
    /// <summary>The shortest salt accepted, in bytes; studies get 32 random bytes.</summary>
    public const int MinimumSaltBytes = 16;

    public static string Of(byte[] salt, string study, string value)
    {
        var studyBytes = Encoding.UTF8.GetBytes(study + "\0");
        var input = new byte[salt.Length + studyBytes.Length + Encoding.UTF8.GetByteCount(value)];
        salt.CopyTo(input, 0);
        studyBytes.CopyTo(input, salt.Length);
        Encoding.UTF8.GetBytes(value, 0, value.Length, input, salt.Length + studyBytes.Length);
        return "d_" + Convert.ToHexStringLower(SHA256.HashData(input));
    }

    /// <summary>A new random salt for a study (32 bytes).</summary>
    public static byte[] NewSalt() => RandomNumberGenerator.GetBytes(32);

    /// <summary>True when <paramref name="text"/> is exactly one digest.</summary>
    public static bool IsDigest(string? text) => text is not null && Whole().IsMatch(text);

    /// <summary>Every digest inside a text (not glued to other letters, digits or '_').</summary>
    [GeneratedRegex(@"(?<![A-Za-z0-9_])d_[0-9a-f]{64}(?![A-Za-z0-9_])")]
    public static partial Regex Anywhere();

    [GeneratedRegex(@"^d_[0-9a-f]{64}$")]
    private static partial Regex Whole();
}
