namespace Ferry.Server.Jobs;

/// <summary>The outcome of <see cref="ServerFolders.CheckAsync"/>: the folder to read (links resolved), or why not.</summary>
/// <param name="Forbidden">The folder is not the company's to read (403), rather than malformed or missing (400).</param>
internal sealed record FolderCheck(string? Folder, string? Problem, bool Forbidden)
{
    public static FolderCheck Allowed(string folder) => new(folder, null, false);

    public static FolderCheck Refused(string problem) => new(null, problem, true);

    public static FolderCheck Invalid(string problem) => new(null, problem, false);
}

/// <summary>
/// Each company's server folders (roots) for upload jobs, managed by the system administrator, and the check every
/// job's folder passes when it is queued and again when a worker starts it.
/// <para>
/// A folder may be read by a company when (1) the company has the most specific root containing it (a root of
/// another company nested inside this company's wins there) and (2) it lies inside one of the operator's
/// <see cref="FerryServerOptions.AllowedRoots"/> (the ceiling of this process: server or worker). Both hold first
/// for the normalized path as written, before the file system is touched, and then again once symbolic links are
/// resolved; only then is existence looked at. Refusals never name a resolved path or another company's root.
/// </para>
/// </summary>
internal sealed class ServerFolders(FerryDbContext db, FerryServerOptions options, TimeProvider time)
{
    public const string NotYours = "the folder is not inside your company's server folders (GET /api/jobs/roots lists them)";
    public const string NoRoots = "your company has no server folders for upload jobs; the system administrator adds them (Server folders page, 'ferry storage roots')";
    public const string OutsideOperator = "the folder is outside the folders this server's operator allows for upload jobs (Ferry:AllowedRoots); ask your system administrator";
    public const string NotAbsolute = "local_directory must be an absolute path on the server";
    public const string Missing = "the folder does not exist or is not a folder";
    public const string HoldsAnother = "the folder holds a server folder that is not your company's; queue a folder below it that does not";

    /// <summary>The operator's ceiling, normalized.</summary>
    public IReadOnlyList<string> Ceiling { get; } = options.AllowedRoots.Select(ServerPaths.Normalize).OfType<string>().Distinct().ToList();

    /// <summary>The company's roots, by path.</summary>
    public Task<List<CompanyRoot>> ListAsync(long companyId, CancellationToken cancellationToken) =>
        db.CompanyRoots.AcrossCompanies().AsNoTracking().Where(r => r.CompanyId == companyId).OrderBy(r => r.Path).ToListAsync(cancellationToken);

    /// <summary>Gives <paramref name="companyId"/> (which exists) a root; refused when not absolute, outside the ceiling or already someone's.</summary>
    public async Task<(CompanyRoot? Root, Refusal? Refusal)> AddAsync(long companyId, string? path, CancellationToken cancellationToken)
    {
        if (ServerPaths.Normalize(path) is not { } root)
        {
            return (null, Refusal.Invalid("give the server folder as an absolute path, such as /data/field-team"));
        }

        if (Ceiling.Count == 0)
        {
            return (null, Refusal.Invalid("the operator allows no server folder for upload jobs: set Ferry:AllowedRoots (--allowed-root DIR, FERRY_ALLOWED_ROOTS) on the server and its workers first"));
        }

        if (!Ceiling.Any(c => ServerPaths.IsInside(root, c)))
        {
            return (null, Refusal.Invalid($"{root} is outside the folders the operator allows for upload jobs ({string.Join(", ", Ceiling)}: Ferry:AllowedRoots)"));
        }

        // Every company's roots: a folder belongs to one company.
        var holder = await db.CompanyRoots.AcrossCompanies().AsNoTracking().Where(r => r.Path == root).Join(db.Companies.AcrossCompanies(), r => r.CompanyId, c => c.Id, (r, c) => new { r.CompanyId, c.Name })
            .FirstOrDefaultAsync(cancellationToken);
        if (holder is not null)
        {
            return (null, Refusal.Conflict(holder.CompanyId == companyId
                ? $"{root} is already one of the company's server folders"
                : $"{root} is already a server folder of company '{holder.Name}'; a folder belongs to one company (a more specific folder inside it may be given to another)"));
        }

        var added = new CompanyRoot { CompanyId = companyId, Path = root, CreatedAt = time.GetUtcNow() };
        db.CompanyRoots.Add(added);
        await db.SaveChangesAsync(cancellationToken);
        return (added, null);
    }

    /// <summary>Takes a root from the company; false when it had no such root. Queued jobs under it fail when a worker starts them.</summary>
    public async Task<bool> RemoveAsync(long companyId, string? path, CancellationToken cancellationToken) =>
        ServerPaths.Normalize(path) is { } root
        && await db.CompanyRoots.AcrossCompanies().Where(r => r.CompanyId == companyId && r.Path == root).ExecuteDeleteAsync(cancellationToken) > 0;

    /// <summary>Whether <paramref name="companyId"/>'s jobs may read <paramref name="directory"/> (see the class summary for the rules and their order).</summary>
    public async Task<FolderCheck> CheckAsync(long companyId, string? directory, CancellationToken cancellationToken)
    {
        if (ServerPaths.Normalize(directory) is not { } path)
        {
            return FolderCheck.Invalid(NotAbsolute);
        }

        // Every company's roots: another company's root nested inside this company's is not this company's to read.
        var roots = await db.CompanyRoots.AcrossCompanies().AsNoTracking().Select(r => new { r.CompanyId, r.Path }).ToListAsync(cancellationToken);
        if (!roots.Any(r => r.CompanyId == companyId))
        {
            return FolderCheck.Refused(NoRoots);
        }

        // As written: nothing on disk has been looked at, so the answer cannot tell whether the path exists.
        if (!Owns(companyId, path, roots.Select(r => (r.CompanyId, r.Path))))
        {
            return FolderCheck.Refused(NotYours);
        }

        // A job reads the whole tree below its folder: another company's root nested inside it is not this company's to read.
        if (HoldsAnothersRoot(companyId, path, roots.Select(r => (r.CompanyId, r.Path))))
        {
            return FolderCheck.Refused(HoldsAnother);
        }

        if (!Ceiling.Any(c => ServerPaths.IsInside(path, c)))
        {
            return FolderCheck.Refused(OutsideOperator);
        }

        // Where it really leads: a link inside the company's root pointing elsewhere is refused the same way.
        var resolved = ServerPaths.Resolve(path);
        var resolvedRoots = roots.Select(r => (r.CompanyId, ServerPaths.Resolve(r.Path) ?? r.Path)).ToList();
        if (resolved is null || !Owns(companyId, resolved, resolvedRoots))
        {
            return FolderCheck.Refused(NotYours);
        }

        if (HoldsAnothersRoot(companyId, resolved, resolvedRoots))
        {
            return FolderCheck.Refused(HoldsAnother);
        }

        if (!Ceiling.Any(c => ServerPaths.IsInside(resolved, ServerPaths.Resolve(c) ?? c)))
        {
            return FolderCheck.Refused(OutsideOperator);
        }

        return Directory.Exists(resolved) ? FolderCheck.Allowed(resolved) : FolderCheck.Invalid(Missing);
    }

    /// <summary>Whether a root of another company lies strictly below <paramref name="path"/> (a job there would read it).</summary>
    private static bool HoldsAnothersRoot(long companyId, string path, IEnumerable<(long CompanyId, string Path)> roots) =>
        roots.Any(r => r.CompanyId != companyId && r.Path != path && ServerPaths.IsInside(r.Path, path));

    /// <summary>Whether the most specific root containing <paramref name="path"/> is <paramref name="companyId"/>'s alone.</summary>
    private static bool Owns(long companyId, string path, IEnumerable<(long CompanyId, string Path)> roots)
    {
        var containing = roots.Where(r => ServerPaths.IsInside(path, r.Path)).ToList();
        if (containing.Count == 0)
        {
            return false;
        }

        var deepest = containing.Max(r => r.Path.Length);
        return containing.Where(r => r.Path.Length == deepest).All(r => r.CompanyId == companyId);
    }

    /// <summary>
    /// Gives the first company (the lowest id: Default, made on first start) each configured root
    /// (<see cref="FerryServerOptions.AllowedRoots"/>) not seeded before, so an upgrade keeps its jobs working. Run by
    /// <c>ferry db migrate</c>, at server start (after the first company is made) and at worker start. A root is seeded
    /// once: removed later by the system administrator, it stays removed; a root another company already holds is not
    /// duplicated. Returns the roots given now.
    /// </summary>
    public static async Task<IReadOnlyList<string>> SeedConfiguredAsync(FerryDbContext db, FerryServerOptions options, TimeProvider time, CancellationToken cancellationToken)
    {
        var configured = options.AllowedRoots.Select(ServerPaths.Normalize).OfType<string>().Distinct().ToList();
        var first = configured.Count == 0 ? null
            : await db.Companies.AsNoTracking().OrderBy(c => c.Id).Select(c => (long?)c.Id).FirstOrDefaultAsync(cancellationToken);
        if (first is not { } companyId)
        {
            return [];
        }

        var given = new List<string>();
        foreach (var root in configured)
        {
            if (await db.SeededRoots.AnyAsync(s => s.Path == root, cancellationToken))
            {
                continue;
            }

            var now = time.GetUtcNow();
            db.SeededRoots.Add(new SeededRoot { Path = root, SeededAt = now });
            var held = await db.CompanyRoots.AnyAsync(r => r.Path == root, cancellationToken);
            if (!held)
            {
                db.CompanyRoots.Add(new CompanyRoot { CompanyId = companyId, Path = root, CreatedAt = now });
            }

            try
            {
                await db.SaveChangesAsync(cancellationToken);
                if (!held)
                {
                    given.Add(root);
                }
            }
            catch (DbUpdateException)
            {
                // A server and a worker starting together: the other one seeded this root.
                db.ChangeTracker.Clear();
            }
        }

        return given;
    }
}
