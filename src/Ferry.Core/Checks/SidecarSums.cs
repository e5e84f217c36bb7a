using System.Security.Cryptography;
using System.Text;

namespace Ferry.Core.Checks;

/// <summary>
/// Checksum files beside the data, in GNU coreutils format (<c>md5sum</c>, <c>sha256sum</c>): lines of
/// <c>HEX␠␠NAME</c> or <c>HEX␠*NAME</c> (binary marker), names relative to the checksum file's folder, a leading
/// backslash meaning the name has <c>\\</c> and <c>\n</c> escapes. <c>MD5SUMS</c>, <c>*.md5</c> are MD5;
/// <c>SHA256SUMS</c>, <c>*.sha256</c> are SHA-256. A <c>*.md5</c> holding only a digest applies to the file of the
/// same name without <c>.md5</c>. Verifying reads every listed file whole.
/// </summary>
public static class SidecarSums
{
    /// <summary>The checksum file <c>ferry check --write-sums</c> writes in each folder.</summary>
    public const string WrittenName = "SHA256SUMS";

    /// <summary>The algorithm a sidecar file's name says it holds, or null when it is not a checksum file.</summary>
    public static HashAlgorithmName? AlgorithmOf(string fileName)
    {
        if (fileName is "MD5SUMS" or "md5sums" or "md5sums.txt" || fileName.EndsWith(".md5", StringComparison.OrdinalIgnoreCase))
        {
            return HashAlgorithmName.MD5;
        }

        if (fileName is "SHA256SUMS" or "sha256sums" or "sha256sums.txt" || fileName.EndsWith(".sha256", StringComparison.OrdinalIgnoreCase))
        {
            return HashAlgorithmName.SHA256;
        }

        return null;
    }

    /// <summary>
    /// Verifies every line of the checksum file at <paramref name="sumsPath"/> (relative path <paramref name="sumsRelative"/>),
    /// returning a finding per mismatch, missing file or unreadable line, and the number of files that matched.
    /// </summary>
    public static async Task<(IReadOnlyList<CheckFinding> Findings, int Verified)> VerifyAsync(string sumsPath, string sumsRelative, CancellationToken cancellationToken)
    {
        var algorithm = AlgorithmOf(Path.GetFileName(sumsPath)) ?? throw new ArgumentException($"{sumsPath} is not a checksum file", nameof(sumsPath));
        var folder = Path.GetDirectoryName(sumsPath)!;
        var relativeFolder = sumsRelative.Contains('/', StringComparison.Ordinal) ? sumsRelative[..sumsRelative.LastIndexOf('/')] + "/" : "";
        var digestLength = algorithm == HashAlgorithmName.MD5 ? 32 : 64;
        var findings = new List<CheckFinding>();
        var verified = 0;
        var lineNumber = 0;
        foreach (var line in await File.ReadAllLinesAsync(sumsPath, cancellationToken).ConfigureAwait(false))
        {
            lineNumber++;
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            if (!TryParseLine(line, digestLength, out var expected, out var name))
            {
                if (lineNumber == 1 && line.Trim().Length == digestLength && line.Trim().All(char.IsAsciiHexDigit) && Path.GetFileNameWithoutExtension(sumsPath) is { Length: > 0 } bare
                    && sumsPath.EndsWith(algorithm == HashAlgorithmName.MD5 ? ".md5" : ".sha256", StringComparison.OrdinalIgnoreCase))
                {
                    expected = line.Trim().ToLowerInvariant();
                    name = bare;
                }
                else
                {
                    findings.Add(new CheckFinding(sumsRelative, CheckProblem.SumUnreadable, $"line {lineNumber} is not 'DIGEST  NAME' ({algorithm.Name}, GNU coreutils format)"));
                    continue;
                }
            }

            if (Path.IsPathRooted(name) || name.Replace('\\', '/').Split('/').Contains(".."))
            {
                findings.Add(new CheckFinding(sumsRelative, CheckProblem.SumUnreadable, $"line {lineNumber} names '{name}', outside the checksum file's folder; not followed"));
                continue;
            }

            var target = Path.GetFullPath(Path.Combine(folder, name));
            var targetRelative = relativeFolder + name.Replace('\\', '/');
            if (!File.Exists(target))
            {
                findings.Add(new CheckFinding(targetRelative, CheckProblem.SumMissingFile, $"listed in {sumsRelative} but not there"));
                continue;
            }

            string actual;
            try
            {
                actual = await HashFileAsync(target, algorithm, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                findings.Add(new CheckFinding(targetRelative, CheckProblem.Unreadable, $"cannot read it to verify {sumsRelative}: {ex.Message}"));
                continue;
            }

            if (actual == expected)
            {
                verified++;
            }
            else
            {
                findings.Add(new CheckFinding(targetRelative, CheckProblem.SumMismatch, $"{algorithm.Name} {actual} differs from {expected} in {sumsRelative}"));
            }
        }

        return (findings, verified);
    }

    /// <summary>Reads <c>HEX  NAME</c> / <c>HEX *NAME</c>, with the leading-backslash escape form.</summary>
    internal static bool TryParseLine(string line, int digestLength, out string digest, out string name)
    {
        digest = "";
        name = "";
        var escaped = line.StartsWith('\\');
        var body = escaped ? line[1..] : line;
        if (body.Length < digestLength + 2 || body[digestLength] != ' ' || body[digestLength + 1] is not (' ' or '*'))
        {
            return false;
        }

        var hex = body[..digestLength];
        if (!hex.All(char.IsAsciiHexDigit))
        {
            return false;
        }

        name = body[(digestLength + 2)..].TrimEnd('\r');
        if (escaped)
        {
            name = Unescape(name);
        }

        digest = hex.ToLowerInvariant();
        return name.Length > 0;
    }

    /// <summary>A line <c>sha256sum</c> would write (and <c>sha256sum -c</c> reads) for a file name.</summary>
    public static string FormatLine(string sha256Hex, string name) =>
        name.Contains('\\', StringComparison.Ordinal) || name.Contains('\n', StringComparison.Ordinal) || name.Contains('\r', StringComparison.Ordinal)
            ? $"\\{sha256Hex}  {name.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal).Replace("\r", "\\r", StringComparison.Ordinal)}"
            : $"{sha256Hex}  {name}";

    /// <summary>Writes <see cref="WrittenName"/> in <paramref name="folder"/> (through a temporary file and a rename) with lines in ordinal name order.</summary>
    public static async Task WriteAsync(string folder, IEnumerable<(string Name, string Sha256)> entries, CancellationToken cancellationToken)
    {
        var target = Path.Combine(folder, WrittenName);
        var partial = target + ".partial";
        var text = new StringBuilder();
        foreach (var (name, sha256) in entries.OrderBy(e => e.Name, StringComparer.Ordinal))
        {
            text.Append(FormatLine(sha256, name)).Append('\n');
        }

        await File.WriteAllTextAsync(partial, text.ToString(), new UTF8Encoding(false), cancellationToken).ConfigureAwait(false);
        File.Move(partial, target, overwrite: false);
    }

    public static async Task<string> HashFileAsync(string path, HashAlgorithmName algorithm, CancellationToken cancellationToken)
    {
        var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1, FileOptions.Asynchronous | FileOptions.SequentialScan);
        await using var streamDisposal = stream.ConfigureAwait(false);
        var digest = algorithm == HashAlgorithmName.MD5
            ? await MD5.HashDataAsync(stream, cancellationToken).ConfigureAwait(false)
            : await SHA256.HashDataAsync(stream, cancellationToken).ConfigureAwait(false);
        return Convert.ToHexStringLower(digest);
    }

    private static string Unescape(string name)
    {
        var result = new StringBuilder(name.Length);
        for (var i = 0; i < name.Length; i++)
        {
            if (name[i] == '\\' && i + 1 < name.Length)
            {
                i++;
                result.Append(name[i] switch { 'n' => '\n', 'r' => '\r', _ => name[i] });
            }
            else
            {
                result.Append(name[i]);
            }
        }

        return result.ToString();
    }
}
