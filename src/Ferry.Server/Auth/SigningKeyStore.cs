using System.Security.Cryptography;
using Ferry.Server.Storage;

namespace Ferry.Server.Auth;

/// <summary>
/// The secret that signs access tokens: from configuration (<c>Ferry:SigningKey</c> / <c>FERRY_SIGNING_KEY</c>), else
/// the row <see cref="KeyName"/> of <c>server_keys</c>, shared by every replica of the server and sealed with
/// <c>storage.key</c> (<see cref="StorageSecrets"/>). The first start creates it (64 random bytes, never logged; a
/// <c>signing.key</c> file an older Ferry left in the data directory is taken over, so its tokens stay valid) with an
/// insert that does nothing when another replica's insert came first — then every replica reads the one row.
/// </summary>
internal static class SigningKeyStore
{
    /// <summary>Where Ferry before version 9 of the schema kept the key; read once, when the database has none.</summary>
    public const string FileName = "signing.key";

    public const string KeyName = "token-signing";

    public static byte[] LoadOrCreate(string? configured, FerryDbContext db, StorageSecrets secrets, string dataDirectory, TimeProvider time)
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

        if (Read(db, secrets) is { } stored)
        {
            return stored;
        }

        var legacy = Path.Combine(dataDirectory, FileName);
        var created = File.Exists(legacy) ? Convert.FromBase64String(File.ReadAllText(legacy).Trim()) : RandomNumberGenerator.GetBytes(64);
        var sealedKey = secrets.Encrypt(Convert.ToBase64String(created));
        var at = db.Timestamp(time.GetUtcNow());
        db.Database.ExecuteSql($"INSERT INTO server_keys (name, value, created_at) VALUES ({KeyName}, {sealedKey}, {at}) ON CONFLICT (name) DO NOTHING");
        var shared = Read(db, secrets) ?? throw new InvalidOperationException("the token signing key was stored but cannot be read back");
        if (File.Exists(legacy) && shared.AsSpan().SequenceEqual(created))
        {
            // Sealed in the database now: the plain-text copy would only leak it through backups of the data directory.
            File.Delete(legacy);
        }

        return shared;
    }

    private static byte[]? Read(FerryDbContext db, StorageSecrets secrets)
    {
        var value = db.ServerKeys.AsNoTracking().Where(k => k.Name == KeyName).Select(k => k.Value).FirstOrDefault();
        if (value is null)
        {
            return null;
        }

        try
        {
            return Convert.FromBase64String(secrets.Decrypt(value));
        }
        catch (CryptographicException)
        {
            throw new ServerStartupException($"the token signing key in the database was sealed with another storage.key than {secrets.KeyPath}: every replica of the server needs the same storage.key");
        }
    }
}
