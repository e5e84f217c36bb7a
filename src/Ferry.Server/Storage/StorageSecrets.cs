using System.Security.Cryptography;
using System.Text;

namespace Ferry.Server.Storage;

/// <summary>
/// Encrypts storage locations' secret access keys at rest: AES-256-GCM with a key kept in <c>storage.key</c> in the
/// data directory (32 random bytes, base64, file mode 0600, created on first use, never logged). A ciphertext is
/// <c>v1:</c> + base64(nonce ‖ ciphertext ‖ tag); a tampered value or another server's key fails to decrypt.
/// Losing the key file means the stored secrets must be entered again.
/// </summary>
internal sealed class StorageSecrets(FerryServerOptions options)
{
    public const string FileName = "storage.key";

    private const int NonceSize = 12;
    private const int TagSize = 16;
    private static readonly byte[] Purpose = "ferry:storage-location-secret"u8.ToArray();
    private readonly Lazy<byte[]> _key = new(() => LoadOrCreate(options.ResolvedDataDirectory));

    public string KeyPath => Path.Combine(options.ResolvedDataDirectory, FileName);

    public string Encrypt(string secret)
    {
        var plain = Encoding.UTF8.GetBytes(secret);
        var sealedBytes = new byte[NonceSize + plain.Length + TagSize];
        var nonce = sealedBytes.AsSpan(0, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(_key.Value, TagSize);
        aes.Encrypt(nonce, plain, sealedBytes.AsSpan(NonceSize, plain.Length), sealedBytes.AsSpan(NonceSize + plain.Length), Purpose);
        return "v1:" + Convert.ToBase64String(sealedBytes);
    }

    /// <summary>The secret; throws <see cref="CryptographicException"/> when the value was not made with this server's key.</summary>
    public string Decrypt(string ciphertext)
    {
        if (!ciphertext.StartsWith("v1:", StringComparison.Ordinal))
        {
            throw new CryptographicException("the stored secret is not in a known format");
        }

        var sealedBytes = Convert.FromBase64String(ciphertext[3..]);
        if (sealedBytes.Length < NonceSize + TagSize)
        {
            throw new CryptographicException("the stored secret is truncated");
        }

        var length = sealedBytes.Length - NonceSize - TagSize;
        var plain = new byte[length];
        using var aes = new AesGcm(_key.Value, TagSize);
        aes.Decrypt(sealedBytes.AsSpan(0, NonceSize), sealedBytes.AsSpan(NonceSize, length), sealedBytes.AsSpan(NonceSize + length), plain, Purpose);
        return Encoding.UTF8.GetString(plain);
    }

    private static byte[] LoadOrCreate(string dataDirectory)
    {
        Directory.CreateDirectory(dataDirectory);
        var path = Path.Combine(dataDirectory, FileName);
        if (File.Exists(path))
        {
            return Read(path);
        }

        var created = RandomNumberGenerator.GetBytes(32);
        var fileOptions = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            fileOptions.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        try
        {
            using var writer = new StreamWriter(path, Encoding.ASCII, fileOptions);
            writer.Write(Convert.ToBase64String(created));
        }
        catch (IOException) when (File.Exists(path))
        {
            // Another process created it first: use theirs.
            return Read(path);
        }

        return created;
    }

    private static byte[] Read(string path)
    {
        var key = Convert.FromBase64String(File.ReadAllText(path).Trim());
        return key.Length == 32 ? key : throw new CryptographicException($"{path} does not hold a 32-byte key; restore it from a backup");
    }
}
