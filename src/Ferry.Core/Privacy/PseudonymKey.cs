using System.Security.Cryptography;

namespace Ferry.Core.Privacy;

/// <summary>
/// The secret behind a study's pseudonyms: at least 32 random bytes, held by the operator or the server (one per
/// tenant or study) and never stored beside the data. Without it, a pseudonym cannot be recomputed from a candidate
/// identifier, which is what makes it more than a hash.
/// </summary>
public sealed class PseudonymKey
{
    public const int MinimumBytes = 32;

    private PseudonymKey(byte[] secret) => Secret = secret;

    internal byte[] Secret { get; }

    public static PseudonymKey Generate() => new(RandomNumberGenerator.GetBytes(MinimumBytes));

    /// <summary>The key as base64 text, the form <see cref="FromBase64"/> reads (for a key store that seals it).</summary>
    public string ToBase64() => Convert.ToBase64String(Secret);

    /// <summary>From base64 text (a key file's content or FERRY_PSEUDONYM_KEY); throws <see cref="PrivacyException"/> when it is not ≥ 32 bytes of base64.</summary>
    public static PseudonymKey FromBase64(string text, string source)
    {
        byte[] secret;
        try
        {
            secret = Convert.FromBase64String(text.Trim());
        }
        catch (FormatException)
        {
            throw new PrivacyException($"{source} is not base64; create a key with 'ferry donors new-key FILE'");
        }

        return secret.Length >= MinimumBytes ? new PseudonymKey(secret) : throw new PrivacyException($"{source} holds {secret.Length} bytes; a pseudonymization key needs at least {MinimumBytes}");
    }

    /// <summary>Reads a key file; throws <see cref="PrivacyException"/> when it is missing or not a key.</summary>
    public static PseudonymKey Load(string path)
    {
        try
        {
            return FromBase64(File.ReadAllText(path), $"the key file {path}");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new PrivacyException($"cannot read the key file {path}: {ex.Message}; create one with 'ferry donors new-key FILE'");
        }
    }

    /// <summary>The key in <paramref name="path"/>, created (random, mode 0600) when the file does not exist yet.</summary>
    public static PseudonymKey LoadOrCreate(string path)
    {
        if (!File.Exists(path))
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
            var key = Generate();
            try
            {
                Write(key, path);
                return key;
            }
            catch (IOException) when (File.Exists(path))
            {
                // Another thread or process created it first: theirs is the key.
            }
        }

        return Load(path);
    }

    /// <summary>Writes a key file readable by its owner only, whole or not at all (temporary file, then a rename); refuses to overwrite one.</summary>
    public static void Write(PseudonymKey key, string path)
    {
        if (File.Exists(path))
        {
            throw new IOException($"{path} already exists");
        }

        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        var temporary = path + "." + Guid.NewGuid().ToString("N") + ".tmp";
        using (var stream = new FileStream(temporary, options))
        using (var writer = new StreamWriter(stream))
        {
            writer.Write(Convert.ToBase64String(key.Secret));
        }

        try
        {
            File.Move(temporary, path, overwrite: false);
        }
        finally
        {
            File.Delete(temporary);
        }
    }
}
