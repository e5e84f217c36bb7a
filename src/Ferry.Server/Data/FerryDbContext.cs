using System.Text;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Ferry.Server.Data;

/// <summary>
/// The server's database. The schema is owned by the versioned SQL scripts in Migrations/ (applied by
/// <see cref="DatabaseMigrator"/>); this model maps onto it: snake_case names, and on SQLite timestamps as
/// DateTimeOffset binary integers so they sort and compare in SQL.
/// </summary>
internal sealed class FerryDbContext(DbContextOptions<FerryDbContext> options, DatabaseSettings settings) : DbContext(options)
{
    public DatabaseProvider Provider => settings.Provider;

    public DbSet<Company> Companies => Set<Company>();
    public DbSet<User> Users => Set<User>();
    public DbSet<Project> Projects => Set<Project>();
    public DbSet<Cycle> Cycles => Set<Cycle>();
    public DbSet<UploadSession> Sessions => Set<UploadSession>();
    public DbSet<SessionFile> SessionFiles => Set<SessionFile>();
    public DbSet<VerifiedObject> VerifiedObjects => Set<VerifiedObject>();
    public DbSet<SessionMultipartUpload> MultipartUploads => Set<SessionMultipartUpload>();
    public DbSet<SessionExport> Exports => Set<SessionExport>();
    public DbSet<UploadJob> Jobs => Set<UploadJob>();
    public DbSet<ConsentEntry> Consents => Set<ConsentEntry>();
    public DbSet<Donation> Donations => Set<Donation>();
    public DbSet<DonatedRecord> DonatedRecords => Set<DonatedRecord>();
    public DbSet<Erasure> Erasures => Set<Erasure>();
    public DbSet<MaintenanceRun> MaintenanceRuns => Set<MaintenanceRun>();
    public DbSet<StorageLocation> StorageLocations => Set<StorageLocation>();
    public DbSet<StorageGrant> StorageGrants => Set<StorageGrant>();

    /// <summary>A timestamp as this provider's column holds it, for raw SQL parameters.</summary>
    public object Timestamp(DateTimeOffset value) => Provider == DatabaseProvider.Sqlite ? SqliteTimestamps.ConvertToProvider(value)! : value.ToUniversalTime();

    private static readonly DateTimeOffsetToBinaryConverter SqliteTimestamps = new();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<Company>().ToTable("companies");
        modelBuilder.Entity<User>().ToTable("users");
        modelBuilder.Entity<Project>().ToTable("projects");
        modelBuilder.Entity<Cycle>().ToTable("cycles");
        modelBuilder.Entity<UploadSession>().ToTable("upload_sessions");
        modelBuilder.Entity<SessionFile>().ToTable("session_files");
        modelBuilder.Entity<SessionFile>().Property(f => f.ETag).HasColumnName("etag");
        modelBuilder.Entity<VerifiedObject>().ToTable("verified_objects");
        modelBuilder.Entity<VerifiedObject>().Property(f => f.ETag).HasColumnName("etag");
        modelBuilder.Entity<SessionMultipartUpload>().ToTable("session_multipart_uploads");
        modelBuilder.Entity<SessionExport>().ToTable("session_exports");
        modelBuilder.Entity<UploadJob>().ToTable("upload_jobs");
        modelBuilder.Entity<ConsentEntry>().ToTable("consent_records");
        modelBuilder.Entity<Donation>().ToTable("donations");
        modelBuilder.Entity<DonatedRecord>().ToTable("donated_records");
        modelBuilder.Entity<Erasure>().ToTable("erasures");
        modelBuilder.Entity<MaintenanceRun>().ToTable("maintenance_runs");
        modelBuilder.Entity<StorageLocation>().ToTable("storage_locations");
        modelBuilder.Entity<StorageGrant>().ToTable("storage_grants");
        modelBuilder.Entity<Project>().HasOne(p => p.StorageLocation).WithMany().HasForeignKey(p => p.StorageLocationId);
        modelBuilder.Entity<Project>().Navigation(p => p.StorageLocation).AutoInclude();

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
