using System.Security.Cryptography;
using System.Xml.Linq;
using Ferry.Server.Storage;
using Microsoft.AspNetCore.DataProtection.Repositories;

namespace Ferry.Server.Auth;

/// <summary>
/// Keeps ASP.NET Core's data-protection keys (the keys of sign-in cookies and anti-forgery tokens) in the database
/// (<c>data_protection_keys</c>), so a cookie or form token one replica issued is valid on every other. Each key's XML
/// is sealed with <c>storage.key</c> (<see cref="StorageSecrets"/>, AES-256-GCM) before it is stored: a copy of the
/// database alone forges no cookie.
/// <para>
/// Hand-written rather than Microsoft.AspNetCore.DataProtection.EntityFrameworkCore 10.0.15: that package lifts EF Core to
/// 10.0.15 under the 10.0.11 relational and SQLite providers Ferry pins (mixed EF Core patch versions), and its entity
/// stores the XML in the clear.
/// </para>
/// </summary>
internal sealed class DatabaseXmlRepository(IServiceScopeFactory scopes, StorageSecrets secrets, TimeProvider time) : IXmlRepository
{
    /// <summary>Every stored key, oldest first; throws when one was sealed with another <c>storage.key</c>.</summary>
    public IReadOnlyCollection<XElement> GetAllElements()
    {
        using var scope = scopes.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<FerryDbContext>();
        var rows = db.DataProtectionKeys.AsNoTracking().OrderBy(k => k.Id).Select(k => new { k.Id, k.Xml }).ToList();
        var elements = new List<XElement>(rows.Count);
        foreach (var row in rows)
        {
            try
            {
                elements.Add(XElement.Parse(secrets.Decrypt(row.Xml)));
            }
            catch (CryptographicException)
            {
                throw new InvalidOperationException($"data-protection key {row.Id} in the database was sealed with another storage.key than {secrets.KeyPath}: every replica of the server needs the same storage.key");
            }
        }

        return elements;
    }

    public void StoreElement(XElement element, string friendlyName)
    {
        using var scope = scopes.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<FerryDbContext>();
        db.DataProtectionKeys.Add(new DataProtectionKey
        {
            FriendlyName = friendlyName,
            Xml = secrets.Encrypt(element.ToString(SaveOptions.DisableFormatting)),
            CreatedAt = time.GetUtcNow(),
        });
        db.SaveChanges();
    }
}
