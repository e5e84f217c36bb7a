using System.Security.Cryptography;

namespace Ferry.Server.Auth;

/// <summary>
/// First start: with no user in the database, creates the first company and its administrator <c>admin</c>
/// (also the system administrator). The password comes from <c>FERRY_ADMIN_PASSWORD</c> / Ferry:AdminPassword,
/// or is random and written once to the console, never to the log. There is no default password.
/// </summary>
internal static class AdminBootstrap
{
    public const string AdminUsername = "admin";

    /// <summary>Creates the administrator when needed; returns the generated password (null when none was generated or nothing was created).</summary>
    public static async Task<(bool Created, string? GeneratedPassword)> EnsureAsync(FerryDbContext db, FerryServerOptions options, TimeProvider time, CancellationToken cancellationToken)
    {
        if (await db.Users.AnyAsync(cancellationToken).ConfigureAwait(false))
        {
            return (false, null);
        }

        var generated = options.AdminPassword is null ? RandomPassword() : null;
        var password = options.AdminPassword ?? generated!;
        if (PasswordHashing.Problem(password, AdminUsername) is { } problem)
        {
            throw new ArgumentException($"FERRY_ADMIN_PASSWORD is not acceptable: {problem}");
        }

        var now = time.GetUtcNow();
        var company = await db.Companies.FirstOrDefaultAsync(c => c.Name == options.FirstCompanyName, cancellationToken).ConfigureAwait(false);
        if (company is null)
        {
            company = new Company { Name = options.FirstCompanyName, CreatedAt = now };
            db.Companies.Add(company);
            await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        }

        db.Users.Add(new User
        {
            CompanyId = company.Id,
            Username = AdminUsername,
            PasswordHash = PasswordHashing.Hash(password),
            Role = Roles.Admin,
            IsSystemAdmin = true,
            CreatedAt = now,
            PasswordChangedAt = now,
        });
        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        return (true, generated);
    }

    private static string RandomPassword() =>
        Convert.ToBase64String(RandomNumberGenerator.GetBytes(18)).Replace('+', '-').Replace('/', '_');
}
