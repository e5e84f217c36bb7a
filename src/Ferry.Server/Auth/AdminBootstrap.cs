using System.Security.Cryptography;

namespace Ferry.Server.Auth;

/// <summary>
/// First start: with no user in the database, creates the first company and its administrator <c>admin</c>
/// (also the system administrator). The password comes from <c>FERRY_ADMIN_PASSWORD</c> / Ferry:AdminPassword (the
/// operator chose it and keeps it in their secret store: it need not be changed), or is random: then it is written to
/// <see cref="PasswordFileName"/> in the data directory (mode 0600), only that file's path is printed, and the password
/// must be changed at first sign-in (the file is deleted when it is). There is no default password.
/// </summary>
internal static class AdminBootstrap
{
    public const string AdminUsername = "admin";

    /// <summary>The file in the data directory that holds a generated first password until it is changed.</summary>
    public const string PasswordFileName = "initial-admin-password";

    /// <summary>Creates the administrator when needed; returns where the generated password was written (null when none was generated or nothing was created).</summary>
    public static async Task<(bool Created, string? PasswordFile)> EnsureAsync(FerryDbContext db, FerryServerOptions options, TimeProvider time, CancellationToken cancellationToken)
    {
        if (await db.Users.AnyAsync(cancellationToken))
        {
            return (false, null);
        }

        var generated = options.AdminPassword is null ? RandomPassword() : null;
        var password = options.AdminPassword ?? generated!;
        if (PasswordHashing.Problem(password, AdminUsername) is { } problem)
        {
            throw new ArgumentException($"FERRY_ADMIN_PASSWORD is not acceptable: {problem}");
        }

        var passwordFile = generated is null ? null : WritePasswordFile(options.ResolvedDataDirectory, generated);
        var now = time.GetUtcNow();
        var company = await db.Companies.FirstOrDefaultAsync(c => c.Name == options.FirstCompanyName, cancellationToken);
        if (company is null)
        {
            company = new Company { Name = options.FirstCompanyName, CreatedAt = now };
            db.Companies.Add(company);
            await db.SaveChangesAsync(cancellationToken);
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
            TokensValidAfter = now,
            WebSignedOutAt = now,
            MustChangePassword = generated is not null,
        });
        await db.SaveChangesAsync(cancellationToken);
        return (true, passwordFile);
    }

    /// <summary>Deletes the generated-password file, if any (its password was changed).</summary>
    public static void ForgetPasswordFile(string dataDirectory) => File.Delete(Path.Combine(dataDirectory, PasswordFileName));

    private static string WritePasswordFile(string dataDirectory, string password)
    {
        Directory.CreateDirectory(dataDirectory);
        var path = Path.Combine(dataDirectory, PasswordFileName);
        File.Delete(path); // a leftover of an earlier start: its mode is not ours to trust
        var file = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            file.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var writer = new StreamWriter(path, new System.Text.UTF8Encoding(false), file))
        {
            writer.Write(password + "\n");
        }

        return path;
    }

    private static string RandomPassword() =>
        Convert.ToBase64String(RandomNumberGenerator.GetBytes(18)).Replace('+', '-').Replace('/', '_');
}
