using System.Security.Cryptography;

namespace Ferry.Server.Auth;

/// <summary>
/// The secret that signs access tokens: from configuration, else read from <c>signing.key</c> in the data
/// directory, else generated there on first start (64 random bytes, file mode 0600, never logged).
/// </summary>
internal static class SigningKeyStore
{
    public const string FileName = "signing.key";

    public static byte[] LoadOrCreate(string? configured, string dataDirectory)
    {
        if (!string.IsNullOrWhiteSpace(configured))
        {
            byte[] key;
            try
            {
                key = Convert.FromBase64String(configured);
            }
            catch (FormatException)
            {
                throw new ArgumentException("the token signing key (Ferry:SigningKey / FERRY_SIGNING_KEY) is not base64; generate one with: openssl rand -base64 64");
            }

            return key.Length >= 32 ? key : throw new ArgumentException("the token signing key (Ferry:SigningKey / FERRY_SIGNING_KEY) is shorter than 32 bytes; generate one with: openssl rand -base64 64");
        }

        Directory.CreateDirectory(dataDirectory);
        var path = Path.Combine(dataDirectory, FileName);
        if (File.Exists(path))
        {
            return Convert.FromBase64String(File.ReadAllText(path).Trim());
        }

        var created = RandomNumberGenerator.GetBytes(64);
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        try
        {
            using var writer = new StreamWriter(path, System.Text.Encoding.ASCII, options);
            writer.Write(Convert.ToBase64String(created));
        }
        catch (IOException) when (File.Exists(path))
        {
            // Another process created it first: use theirs.
            return Convert.FromBase64String(File.ReadAllText(path).Trim());
        }

        return created;
    }
}
