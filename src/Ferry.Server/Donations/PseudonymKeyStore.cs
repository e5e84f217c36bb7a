using System.Globalization;
using System.Security.Cryptography;
using Ferry.Core.Privacy;
using Ferry.Server.Storage;

namespace Ferry.Server.Donations;

/// <summary>
/// Each company's donation pseudonym key, shared by every replica of the server: a row of <c>server_keys</c>
/// (<c>pseudonym-company-ID</c>) sealed with <c>storage.key</c> like the token-signing key, so the same donor gets the
/// same pseudonym whichever replica pseudonymizes, and a database dump without <c>storage.key</c> holds no usable key.
/// A key file an older Ferry made (<c>DATA/pseudonym-keys/company-ID.key</c>) is taken over once, so pseudonyms stay
/// stable across the upgrade. The first replica's insert wins; the others read it.
/// </summary>
internal static class PseudonymKeyStore
{
    public static string KeyName(long companyId) => "pseudonym-company-" + companyId.ToString(CultureInfo.InvariantCulture);

    /// <summary>Where Ferry before the shared keys kept a company's key; read once, when the database has none.</summary>
    public static string LegacyFile(string dataDirectory, long companyId) =>
        Path.Combine(dataDirectory, "pseudonym-keys", $"company-{companyId.ToString(CultureInfo.InvariantCulture)}.key");

    public static PseudonymKey LoadOrCreate(long companyId, FerryDbContext db, StorageSecrets secrets, string dataDirectory, TimeProvider time)
    {
        var name = KeyName(companyId);
        if (Read(db, secrets, name) is { } stored)
        {
            return stored;
        }

        var legacy = LegacyFile(dataDirectory, companyId);
        var created = File.Exists(legacy) ? PseudonymKey.Load(legacy) : PseudonymKey.Generate();
        var sealedKey = secrets.Encrypt(created.ToBase64());
        var at = db.Timestamp(time.GetUtcNow());
        db.Database.ExecuteSql($"INSERT INTO server_keys (name, value, created_at) VALUES ({name}, {sealedKey}, {at}) ON CONFLICT (name) DO NOTHING");
        var key = Read(db, secrets, name) ?? throw new InvalidOperationException($"the pseudonym key {name} was stored but cannot be read back");
        if (File.Exists(legacy) && key.ToBase64() == created.ToBase64())
        {
            // Sealed in the database now: the plain-text copy would only leak it through backups of the data directory.
            File.Delete(legacy);
        }

        return key;
    }

    private static PseudonymKey? Read(FerryDbContext db, StorageSecrets secrets, string name)
    {
        var value = db.ServerKeys.AsNoTracking().Where(k => k.Name == name).Select(k => k.Value).FirstOrDefault();
        if (value is null)
        {
            return null;
        }

        try
        {
            return PseudonymKey.FromBase64(secrets.Decrypt(value), $"the pseudonym key {name}");
        }
        catch (CryptographicException)
        {
            throw new InvalidOperationException($"the pseudonym key {name} in the database was sealed with another storage.key than {secrets.KeyPath}: every replica of the server needs the same storage.key");
        }
    }
}
