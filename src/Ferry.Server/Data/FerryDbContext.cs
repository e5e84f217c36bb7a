using System.Linq.Expressions;
using System.Text;
using Microsoft.EntityFrameworkCore.Query;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Ferry.Server.Data;

/// <summary>
/// The server's database. The schema is owned by the versioned SQL scripts in Migrations/ (applied by
/// <see cref="DatabaseMigrator"/>); this model maps onto it: snake_case names, and on SQLite timestamps as
/// DateTimeOffset binary integers so they sort and compare in SQL.
/// </summary>
internal sealed class FerryDbContext(DbContextOptions<FerryDbContext> options, DatabaseSettings settings, Tenancy.TenantScope tenant) : DbContext(options)
{
    public DatabaseProvider Provider => settings.Provider;

    public DbSet<Company> Companies => Set<Company>();
    public DbSet<User> Users => Set<User>();
    public DbSet<Project> Projects => Set<Project>();
    public DbSet<Cycle> Cycles => Set<Cycle>();
    public DbSet<UploadSession> Sessions => Set<UploadSession>();
    public DbSet<SessionFile> SessionFiles => Set<SessionFile>();
    public DbSet<SessionCheckResults> SessionCheckResults => Set<SessionCheckResults>();
    public DbSet<VerifiedObject> VerifiedObjects => Set<VerifiedObject>();
    public DbSet<SessionMultipartUpload> MultipartUploads => Set<SessionMultipartUpload>();
    public DbSet<SessionFileCapture> SessionFileCaptures => Set<SessionFileCapture>();
    public DbSet<SessionExport> Exports => Set<SessionExport>();
    public DbSet<UploadJob> Jobs => Set<UploadJob>();
    public DbSet<ConsentEntry> Consents => Set<ConsentEntry>();
    public DbSet<Donation> Donations => Set<Donation>();
    public DbSet<DonatedRecord> DonatedRecords => Set<DonatedRecord>();
    public DbSet<Erasure> Erasures => Set<Erasure>();
    public DbSet<MaintenanceRun> MaintenanceRuns => Set<MaintenanceRun>();
    public DbSet<ScheduleRun> ScheduleRuns => Set<ScheduleRun>();
    public DbSet<CompanyRoot> CompanyRoots => Set<CompanyRoot>();
    public DbSet<SeededRoot> SeededRoots => Set<SeededRoot>();
    public DbSet<StorageLocation> StorageLocations => Set<StorageLocation>();
    public DbSet<StorageGrant> StorageGrants => Set<StorageGrant>();
    public DbSet<DonationLink> DonationLinks => Set<DonationLink>();
    public DbSet<DonationLinkUpload> DonationLinkUploads => Set<DonationLinkUpload>();

    // Server-wide tables shared by every replica (no company owns them: no tenant filter; docs/architecture.md).
    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();
    public DbSet<ServerKey> ServerKeys => Set<ServerKey>();
    public DbSet<LoginFailure> LoginFailures => Set<LoginFailure>();

    /// <summary>Export bundles waiting for S3, shared by every replica (a company's, through its export).</summary>
    public DbSet<ExportOutboxEntry> ExportOutbox => Set<ExportOutboxEntry>();

    /// <summary>The company whose rows queries see; null for every company. Read by the query filters at each query (see <see cref="Tenancy.TenantScope"/>).</summary>
    private long? TenantCompanyId => tenant.CompanyId;

    /// <summary>A timestamp as this provider's column holds it, for raw SQL parameters.</summary>
    public object Timestamp(DateTimeOffset value) => Provider == DatabaseProvider.Sqlite ? SqliteTimestamps.ConvertToProvider(value)! : value.ToUniversalTime();

    private static readonly DateTimeOffsetToBinaryConverter SqliteTimestamps = new();

    /// <summary>Every status enum is stored as its word (<see cref="StoredNames"/>): the columns hold <c>queued</c>, <c>active</c>…, no migration.</summary>
    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        StoredAsNames<JobStatus>(configurationBuilder);
        StoredAsNames<SessionStatus>(configurationBuilder);
        StoredAsNames<FileStatus>(configurationBuilder);
        StoredAsNames<ExportStatus>(configurationBuilder);
        StoredAsNames<ExportKind>(configurationBuilder);
        StoredAsNames<DonationStatus>(configurationBuilder);
        StoredAsNames<DonationLinkUploadStatus>(configurationBuilder);
        StoredAsNames<ScheduleRunOutcome>(configurationBuilder);
    }

    private static void StoredAsNames<TEnum>(ModelConfigurationBuilder configurationBuilder) where TEnum : struct, Enum =>
        configurationBuilder.Properties<TEnum>().HaveConversion<StoredNameConverter<TEnum>>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<Company>().ToTable("companies");
        modelBuilder.Entity<User>().ToTable("users");
        modelBuilder.Entity<Project>().ToTable("projects");
        modelBuilder.Entity<Cycle>().ToTable("cycles");
        modelBuilder.Entity<UploadSession>().ToTable("upload_sessions");
        modelBuilder.Entity<SessionFile>().ToTable("session_files");
        modelBuilder.Entity<SessionCheckResults>().ToTable("session_check_results").HasKey(c => c.SessionId);
        modelBuilder.Entity<SessionCheckResults>().Property(c => c.SessionId).ValueGeneratedNever();
        modelBuilder.Entity<SessionFile>().Property(f => f.ETag).HasColumnName("etag");
        modelBuilder.Entity<VerifiedObject>().ToTable("verified_objects");
        modelBuilder.Entity<VerifiedObject>().Property(f => f.ETag).HasColumnName("etag");
        modelBuilder.Entity<SessionMultipartUpload>().ToTable("session_multipart_uploads");
        modelBuilder.Entity<SessionFileCapture>().ToTable("session_file_captures").HasKey(c => new { c.SessionId, c.Path });
        modelBuilder.Entity<SessionExport>().ToTable("session_exports");
        modelBuilder.Entity<UploadJob>().ToTable("upload_jobs");
        modelBuilder.Entity<ConsentEntry>().ToTable("consent_records");
        modelBuilder.Entity<Donation>().ToTable("donations");
        modelBuilder.Entity<DonatedRecord>().ToTable("donated_records");
        modelBuilder.Entity<Erasure>().ToTable("erasures");
        modelBuilder.Entity<MaintenanceRun>().ToTable("maintenance_runs");
        modelBuilder.Entity<ScheduleRun>().ToTable("schedule_runs"); // server-wide: no company, no filter
        modelBuilder.Entity<CompanyRoot>().ToTable("company_roots");
        modelBuilder.Entity<SeededRoot>().ToTable("seeded_roots").HasKey(r => r.Path);
        modelBuilder.Entity<StorageLocation>().ToTable("storage_locations");
        modelBuilder.Entity<StorageGrant>().ToTable("storage_grants");
        modelBuilder.Entity<DonationLink>().ToTable("donation_links");
        modelBuilder.Entity<DonationLinkUpload>().ToTable("donation_link_uploads");
        modelBuilder.Entity<DonationLinkUpload>().Property(u => u.Sha256).HasColumnName("sha256");
        modelBuilder.Entity<DataProtectionKey>().ToTable("data_protection_keys");
        modelBuilder.Entity<ServerKey>().ToTable("server_keys").HasKey(k => k.Name);
        modelBuilder.Entity<LoginFailure>().ToTable("login_failures");
        modelBuilder.Entity<ExportOutboxEntry>().ToTable("export_outbox").HasKey(o => o.ExportId);
        modelBuilder.Entity<ExportOutboxEntry>().Property(o => o.ExportId).ValueGeneratedNever();
        modelBuilder.Entity<Project>().HasOne(p => p.StorageLocation).WithMany().HasForeignKey(p => p.StorageLocationId);
        modelBuilder.Entity<Project>().Navigation(p => p.StorageLocation).AutoInclude();

        AddTenantFilters(modelBuilder);

        foreach (var entity in modelBuilder.Model.GetEntityTypes())
        {
            foreach (var property in entity.GetProperties())
            {
                if (property.GetColumnName() == property.Name)
                {
                    property.SetColumnName(SnakeCase(property.Name));
                }

                if (Provider == DatabaseProvider.Sqlite && (property.ClrType == typeof(DateTimeOffset) || property.ClrType == typeof(DateTimeOffset?)))
                {
                    property.SetValueConverter(SqliteTimestamps);
                }
            }
        }
    }

    /// <summary>
    /// Tenancy by construction: every table that belongs to a company is filtered to <see cref="TenantCompanyId"/>, directly
    /// or through the row it belongs to. <c>IgnoreQueryFilters</c> (<see cref="Tenancy.TenantQueries.AcrossCompanies{T}"/>) is the only way around it.
    /// </summary>
    private void AddTenantFilters(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<Company>().HasQueryFilter(c => TenantCompanyId == null || c.Id == TenantCompanyId);
        // Every company's own row (CompanyOwned: users, projects, sessions, jobs, exports, consents, donations…), by one filter.
        Expression<Func<CompanyOwned, bool>> owned = r => TenantCompanyId == null || r.CompanyId == TenantCompanyId;
        foreach (var entity in modelBuilder.Model.GetEntityTypes().Where(e => e.ClrType.IsAssignableTo(typeof(CompanyOwned))).ToList())
        {
            var row = Expression.Parameter(entity.ClrType, owned.Parameters[0].Name);
            modelBuilder.Entity(entity.ClrType).HasQueryFilter(Expression.Lambda(ReplacingExpressionVisitor.Replace(owned.Parameters[0], row, owned.Body), row));
        }

        // Runs of company-wide schedules (no company) are shown to everyone; a company's own runs only to it.
        modelBuilder.Entity<MaintenanceRun>().HasQueryFilter(m => TenantCompanyId == null || m.CompanyId == null || m.CompanyId == TenantCompanyId);
        // Rows that belong to a company through their project or session.
        modelBuilder.Entity<Cycle>().HasQueryFilter(c => TenantCompanyId == null || Set<Project>().IgnoreQueryFilters().Any(p => p.Id == c.ProjectId && p.CompanyId == TenantCompanyId));
        modelBuilder.Entity<VerifiedObject>().HasQueryFilter(v => TenantCompanyId == null || Set<Project>().IgnoreQueryFilters().Any(p => p.Id == v.ProjectId && p.CompanyId == TenantCompanyId));
        modelBuilder.Entity<SessionFile>().HasQueryFilter(f => TenantCompanyId == null || Set<UploadSession>().IgnoreQueryFilters().Any(s => s.Id == f.SessionId && s.CompanyId == TenantCompanyId));
        modelBuilder.Entity<SessionCheckResults>().HasQueryFilter(c => TenantCompanyId == null || Set<UploadSession>().IgnoreQueryFilters().Any(s => s.Id == c.SessionId && s.CompanyId == TenantCompanyId));
        modelBuilder.Entity<SessionFileCapture>().HasQueryFilter(c => TenantCompanyId == null || Set<UploadSession>().IgnoreQueryFilters().Any(s => s.Id == c.SessionId && s.CompanyId == TenantCompanyId));
        modelBuilder.Entity<SessionMultipartUpload>().HasQueryFilter(m => TenantCompanyId == null || Set<UploadSession>().IgnoreQueryFilters().Any(s => s.Id == m.SessionId && s.CompanyId == TenantCompanyId));
        modelBuilder.Entity<ExportOutboxEntry>().HasQueryFilter(o => TenantCompanyId == null || Set<SessionExport>().IgnoreQueryFilters().Any(e => e.Id == o.ExportId && e.CompanyId == TenantCompanyId));
    }

    private static string SnakeCase(string name)
    {
        var result = new StringBuilder(name.Length + 8);
        for (var i = 0; i < name.Length; i++)
        {
            if (char.IsUpper(name[i]) && i > 0)
            {
                result.Append('_');
            }

            result.Append(char.ToLowerInvariant(name[i]));
        }

        return result.ToString();
    }
}
