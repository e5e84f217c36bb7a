using System.Buffers;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Ferry.Core.Privacy;

/// <summary>
/// Finds personal data and secrets inside free text — every string value of a record that no rule names — and
/// replaces each hit by a typed placeholder: <c>&lt;email:p_…&gt;</c>, <c>&lt;ip:p_…&gt;</c>, <c>&lt;phone:p_…&gt;</c>
/// and <c>&lt;user:p_…&gt;</c> carry the keyed pseudonym of what they replace (the same value links across records and
/// with pseudonymized fields), secrets become <c>&lt;secret&gt;</c>. Detectors run in the order of
/// <see cref="Detectors"/>, each on the text the previous ones left; each one runs only when a cheap scan of the
/// string found its trigger (an '@', two ':', three '.', a run of token characters…), so most strings cost one pass.
/// Hand-written because no .NET library does this for JSON values with keyed placeholders; docs/donations.md lists
/// what each detector matches and how IPv4 addresses are told from version numbers.
/// </summary>
public sealed partial class FreeTextScrubber
{
    private static readonly string[] Names =
    [
        "private_key", "url_credentials", "bearer_token", "jwt", "aws_access_key", "password_pair",
        "email", "home_path", "ipv6", "ipv4", "phone", "high_entropy",
    ];

    private const int PrivateKey = 0, UrlCredentials = 1, BearerToken = 2, Jwt = 3, AwsAccessKey = 4, PasswordPair = 5,
        Email = 6, HomePath = 7, Ipv6 = 8, Ipv4 = 9, Phone = 10, HighEntropy = 11;

    private const string Secret = "<secret>";

    private readonly Func<string, string> _pseudonym;
    private readonly bool[] _on;
    private readonly double _entropyThreshold;
    private readonly int _entropyMinimumLength;

    /// <param name="rules">Which detectors run and the entropy settings.</param>
    /// <param name="pseudonym">The study's keyed pseudonym of a value (<see cref="Pseudonymizer.Pseudonym"/>).</param>
    public FreeTextScrubber(ScrubRules rules, Func<string, string> pseudonym)
    {
        _pseudonym = pseudonym;
        _on = Names.Select(rules.IsOn).ToArray();
        _entropyThreshold = rules.Threshold;
        _entropyMinimumLength = rules.MinimumLength;
        IsEnabled = _on.Any(on => on);
    }

    /// <summary>The detector names, in the order they run: the keys of the rules' <c>scrub.detectors</c> and of the manifest's counts.</summary>
    public static IReadOnlyList<string> Detectors => Names;

    public bool IsEnabled { get; }

    internal static int IndexOf(string detector) => Array.IndexOf(Names, detector);

    /// <summary>
    /// Scrubs every string value under <paramref name="node"/> (objects and arrays, nested), except values at the dotted
    /// paths in <paramref name="skip"/> (array steps do not count in a path). Property names are left as they are.
    /// </summary>
    public void ScrubValues(JsonNode? node, IReadOnlySet<string> skip, IReadOnlySet<string> skipPrefixes, ScrubCounts? counts)
    {
        if (IsEnabled)
        {
            Walk(node, skip.Count > 0 ? "" : null, skip, skipPrefixes, counts);
        }
    }

    /// <summary>
    /// <paramref name="path"/> is the dotted path of <paramref name="node"/> while it may still lead to a skipped path, null
    /// once it cannot (then no path strings are built below it).
    /// </summary>
    private void Walk(JsonNode? node, string? path, IReadOnlySet<string> skip, IReadOnlySet<string> skipPrefixes, ScrubCounts? counts)
    {
        switch (node)
        {
            case JsonObject obj:
                for (var i = 0; i < obj.Count; i++)
                {
                    var (name, child) = obj.GetAt(i);
                    string? childPath = null;
                    if (path is not null)
                    {
                        childPath = path.Length == 0 ? name : path + "." + name;
                        if (skip.Contains(childPath))
                        {
                            continue;
                        }

                        if (!skipPrefixes.Contains(childPath))
                        {
                            childPath = null;
                        }
                    }

                    if (child is JsonValue value)
                    {
                        if (Scrubbed(value, counts) is { } text)
                        {
                            obj.SetAt(i, JsonValue.Create(text));
                        }
                    }
                    else
                    {
                        Walk(child, childPath, skip, skipPrefixes, counts);
                    }
                }

                break;
            case JsonArray array:
                for (var i = 0; i < array.Count; i++)
                {
                    if (array[i] is JsonValue value)
                    {
                        if (Scrubbed(value, counts) is { } text)
                        {
                            array[i] = JsonValue.Create(text);
                        }
                    }
                    else
                    {
                        Walk(array[i], path, skip, skipPrefixes, counts);
                    }
                }

                break;
        }
    }

    private string? Scrubbed(JsonValue value, ScrubCounts? counts)
    {
        if (value.GetValueKind() != JsonValueKind.String)
        {
            return null;
        }

        // A string still in the parsed line: look at its raw UTF-8 first and only decode it when a detector could match
        // (escaped text, with a '\', is always decoded: an escape may hide a trigger).
        if (value.TryGetValue<JsonElement>(out var element))
        {
            var raw = JsonMarshal.GetRawUtf8Value(element);
            if (!raw.Contains((byte)'\\') && !MayMatch(raw))
            {
                return null;
            }
        }

        var text = value.GetValue<string>();
        var scrubbed = Scrub(text, counts);
        return ReferenceEquals(scrubbed, text) ? null : scrubbed;
    }

    private static readonly SearchValues<byte> TokenBytes = SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/_=-"u8);

    /// <summary>
    /// False only when no enabled detector can match <paramref name="utf8"/>: a conservative gate over the raw bytes,
    /// mostly vectorized searches, checking each detector's necessary trigger.
    /// </summary>
    private bool MayMatch(ReadOnlySpan<byte> utf8)
    {
        if (utf8.Contains((byte)'@') || utf8.Contains((byte)':') || utf8.Contains((byte)'=') || utf8.Contains((byte)'+') || utf8.Contains((byte)'('))
        {
            return true; // e-mail, URL credentials, password pairs, IPv6, phones with a country code or an area in brackets
        }

        if (utf8.IndexOf("-----BEGIN"u8) >= 0 || utf8.IndexOf("earer"u8) >= 0 || utf8.IndexOf("EARER"u8) >= 0 || utf8.IndexOf("eyJ"u8) >= 0
            || utf8.IndexOf("/home/"u8) >= 0 || utf8.IndexOf("/Users/"u8) >= 0)
        {
            return true;
        }

        var dots = utf8.Count((byte)'.');
        if ((dots >= 2 || utf8.Count((byte)'-') >= 2) && Digits(utf8) >= 4)
        {
            return true; // IPv4 (three dots), phones in the 3-3-4 shape
        }

        var minimum = Math.Min(_entropyMinimumLength, 20); // AWS access key ids are 20 characters
        var rest = utf8;
        while (rest.Length >= minimum)
        {
            var end = rest.IndexOfAnyExcept(TokenBytes);
            if ((end < 0 ? rest.Length : end) >= minimum)
            {
                return true; // AWS access key ids, high-entropy tokens
            }

            if (end < 0)
            {
                break;
            }

            var next = rest[end..].IndexOfAny(TokenBytes);
            if (next < 0)
            {
                break;
            }

            rest = rest[(end + next)..];
        }

        return false;
    }

    private static int Digits(ReadOnlySpan<byte> utf8)
    {
        var digits = 0;
        foreach (var b in utf8)
        {
            if (b is >= (byte)'0' and <= (byte)'9')
            {
                digits++;
            }
        }

        return digits;
    }

    /// <summary>The text with every hit replaced; the same instance when nothing was found.</summary>
    public string Scrub(string text, ScrubCounts? counts)
    {
        if (text.Length < 3)
        {
            return text;
        }

        // One pass over the characters decides which detectors can possibly match.
        int at = 0, colons = 0, dots = 0, digits = 0, run = 0, longestRun = 0;
        bool plusOrParen = false, equals = false, slash = false, dash = false, upper = false;
        foreach (var c in text)
        {
            if (IsTokenChar(c))
            {
                run++;
                if (run > longestRun)
                {
                    longestRun = run;
                }
            }
            else
            {
                run = 0;
            }

            switch (c)
            {
                case >= '0' and <= '9': digits++; break;
                case >= 'A' and <= 'Z': upper = true; break;
                case '@': at++; break;
                case ':': colons++; break;
                case '.': dots++; break;
                case '+' or '(': plusOrParen = true; break;
                case '=': equals = true; break;
                case '/' or '\\': slash = true; break;
                case '-': dash = true; break;
            }
        }

        if (dash && _on[PrivateKey] && text.Contains("-----BEGIN", StringComparison.Ordinal))
        {
            text = Replace(PrivateKeyBlock(), text, PrivateKey, counts, _ => Secret);
        }

        if (at > 0 && colons > 0 && _on[UrlCredentials] && text.Contains("://", StringComparison.Ordinal))
        {
            text = Replace(UrlWithCredentials(), text, UrlCredentials, counts, m => m.Groups[1].Value + Secret + "@");
        }

        if (_on[BearerToken] && (text.Contains("earer", StringComparison.Ordinal) || text.Contains("EARER", StringComparison.Ordinal)))
        {
            text = Replace(Bearer(), text, BearerToken, counts, m => m.Groups[1].Value + " " + Secret);
        }

        if (dots >= 2 && _on[Jwt] && text.Contains("eyJ", StringComparison.Ordinal))
        {
            text = Replace(JsonWebToken(), text, Jwt, counts, _ => Secret);
        }

        if (upper && longestRun >= 20 && _on[AwsAccessKey])
        {
            text = Replace(AwsKey(), text, AwsAccessKey, counts, _ => Secret);
        }

        if ((equals || colons > 0) && _on[PasswordPair])
        {
            text = Replace(SecretPair(), text, PasswordPair, counts, m => m.Groups[1].Value + Secret);
        }

        if (at > 0 && _on[Email])
        {
            text = Replace(EmailAddress(), text, Email, counts, m => "<email:" + _pseudonym(m.Value) + ">");
        }

        if (slash && _on[HomePath] && (text.Contains("/home/", StringComparison.Ordinal) || text.Contains("/Users/", StringComparison.Ordinal) || text.Contains(":\\", StringComparison.Ordinal)))
        {
            text = Replace(HomeDirectory(), text, HomePath, counts, m => m.Groups[1].Value + "<user:" + _pseudonym(m.Groups[2].Value) + ">");
        }

        if (colons >= 2 && _on[Ipv6])
        {
            text = Replace(Ipv6Candidate(), text, Ipv6, counts, m => IsIpv6(m.Value) ? "<ip:" + _pseudonym(m.Value.ToLowerInvariant()) + ">" : null);
        }

        if (dots >= 3 && digits >= 4 && _on[Ipv4])
        {
            text = Replace(Ipv4Address(), text, Ipv4, counts, m => "<ip:" + _pseudonym(m.Value) + ">");
        }

        if (digits >= 7 && (plusOrParen || dash || dots >= 2 || text.Contains(' ', StringComparison.Ordinal)) && _on[Phone])
        {
            text = Replace(PhoneNumber(), text, Phone, counts, m => m.Value.Count(char.IsAsciiDigit) is >= 7 and <= 15 ? "<phone:" + _pseudonym(Digits(m.Value)) + ">" : null);
        }

        if (longestRun >= _entropyMinimumLength && _on[HighEntropy])
        {
            text = Replace(TokenRun(), text, HighEntropy, counts, m => m.Length >= _entropyMinimumLength && IsSecretLike(m.Value) ? Secret : null);
        }

        return text;
    }

    /// <summary>Regex.Replace that counts hits; <paramref name="replacement"/> returns null to keep a match as it is. The same instance when nothing changed.</summary>
    private static string Replace(Regex regex, string text, int detector, ScrubCounts? counts, Func<Match, string?> replacement)
    {
        var changed = false;
        var result = regex.Replace(text, m =>
        {
            if (replacement(m) is not { } placeholder)
            {
                return m.Value;
            }

            changed = true;
            counts?.Add(detector);
            return placeholder;
        });
        return changed ? result : text;
    }

    private static bool IsTokenChar(char c) => char.IsAsciiLetterOrDigit(c) || c is '+' or '/' or '_' or '-' or '=';

    private static string Digits(string text) => string.Concat(text.Where(char.IsAsciiDigit));

    private static bool IsIpv6(string candidate)
    {
        var colons = candidate.Count(c => c == ':');
        return (colons == 7 || candidate.Contains("::", StringComparison.Ordinal)) && candidate.Any(char.IsAsciiHexDigit)
            && IPAddress.TryParse(candidate, out var address) && address.AddressFamily == AddressFamily.InterNetworkV6;
    }

    /// <summary>A token with letters and digits whose Shannon entropy reaches the threshold; Ferry's own pseudonyms and placeholders never count.</summary>
    private bool IsSecretLike(string token)
    {
        if (OwnPseudonym().IsMatch(token) || !token.Any(char.IsAsciiDigit) || !token.Any(char.IsAsciiLetter))
        {
            return false;
        }

        Span<int> frequency = stackalloc int[128];
        foreach (var c in token)
        {
            frequency[c & 127]++;
        }

        double entropy = 0;
        foreach (var n in frequency)
        {
            if (n > 0)
            {
                var p = (double)n / token.Length;
                entropy -= p * Math.Log2(p);
            }
        }

        return entropy >= _entropyThreshold;
    }

    [GeneratedRegex(@"-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z0-9 ]*PRIVATE KEY-----|$)")]
    private static partial Regex PrivateKeyBlock();

    [GeneratedRegex(@"\b([A-Za-z][A-Za-z0-9+.-]*://)[^\s/@<>]+@")]
    private static partial Regex UrlWithCredentials();

    [GeneratedRegex(@"\b((?i:bearer))\s+[A-Za-z0-9._~+/=-]{8,}")]
    private static partial Regex Bearer();

    [GeneratedRegex(@"\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*")]
    private static partial Regex JsonWebToken();

    [GeneratedRegex(@"\b(?:AKIA|ASIA|AGPA|AIDA|AROA|AIPA|ANPA|ANVA)[A-Z0-9]{16}\b")]
    private static partial Regex AwsKey();

    [GeneratedRegex(@"(?i)\b((?:password|passwd|pwd|passphrase|secret|client[_-]?secret|api[_-]?key|access[_-]?key|secret[_-]?key|private[_-]?key|auth[_-]?token|access[_-]?token|token)[""']?\s*[=:]\s*)(""[^""]*""|'[^']*'|[^\s,;&""'<]+)")]
    private static partial Regex SecretPair();

    [GeneratedRegex(@"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")]
    private static partial Regex EmailAddress();

    [GeneratedRegex(@"(/home/|/Users/|(?i:\b[a-z]:\\users\\))([^/\\\s""'<>:]+)")]
    private static partial Regex HomeDirectory();

    [GeneratedRegex(@"(?<![\w:.])(?:[0-9A-Fa-f]{0,4}:){2,7}[0-9A-Fa-f]{0,4}(?![\w:])")]
    private static partial Regex Ipv6Candidate();

    // Four octets 0-255 not inside a longer dotted or alphanumeric run (v1.2.3.4, 1.2.3.4.5) and not after a version word.
    [GeneratedRegex(@"(?<![\w.])(?<!(?i:\b(?:version|ver|release|build|v))[\s:=]{0,2})(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?!\w|\.\d)")]
    private static partial Regex Ipv4Address();

    // '+' and a country code, a '(area)' number, or the 3-3-4 shape; dates (4-2-2), times and plain digit runs are not phones.
    [GeneratedRegex(@"(?<![\w+])(?:\+\d{1,3}(?:[ .-]?\(?\d{1,4}\)?)(?:[ .-]?\d{2,4}){2,5}|\(\d{2,4}\)[ .-]?\d{3,4}[ .-]?\d{3,4}|\d{3}[.-]\d{3}[.-]\d{4})(?!\w)")]
    private static partial Regex PhoneNumber();

    [GeneratedRegex(@"[A-Za-z0-9+/_=-]+")]
    private static partial Regex TokenRun();

    [GeneratedRegex(@"^(?:p_[0-9a-f]{32}|d_[0-9a-f]{64})$")]
    private static partial Regex OwnPseudonym();
}
