using System.Security.Cryptography;
using System.Text;
using Ferry.Server.Data;
using Ferry.Server.Data.Migrations;

namespace Ferry.Server.Tests.Data.Migrations;

public sealed class MigrationScriptsTests
{
    /// <summary>
    /// Every shipped version as each provider ran it when it shipped: its name and a fingerprint of its SQL (see
    /// <see cref="Fingerprint"/>). A database records only version and name, so a shipped script must never change
    /// what it does; a new version adds its line here (the failure prints its fingerprints).
    /// </summary>
    private static readonly (int Version, string Name, string Sqlite, string PostgreSql)[] Shipped =
    [
        (1, "0001_initial", "521d9a354bc6fa6c", "6ee9160d68619968"),
        (2, "0002_session_exports", "d67e3d708951ae30", "fe3eb3b893525de6"),
        (3, "0003_upload_jobs", "0b3d725ca73f2243", "cf286f9e815998ad"),
        (4, "0004_donations", "188db8f2799af49f", "eeadc9a188daa2b2"),
        (5, "0005_storage_locations", "4d6202d53633622e", "6419ce6df72b5939"),
        (6, "0006_company_roots", "6d8f76662251ed92", "a27aa7441ed68096"),
        (7, "0007_user_accounts", "4f392b0dd56fc947", "a6a1b5c1635cff79"),
        (8, "0008_schedules", "0c4e53c66a909155", "eec959b54bdcded5"),
        (9, "0009_replicas", "2d4f19a19b91c98a", "16147adbad8b176c"),
        (10, "0010_donation_links", "e9ee3e6c909504d1", "7f9f0b6019a82be9"),
        (11, "0011_erasure_reports", "c2d4693bf56e51c2", "c2d4693bf56e51c2"),
        (12, "0012_content_index", "4877958a48dcce7b", "4877958a48dcce7b"),
        (13, "0013_capture_metadata", "db78faf9faaf40e5", "306e1179693a6cb3"),
        (14, "0014_link_upload_erasures", "16fa774879d5c9ae", "16fa774879d5c9ae"),
        (15, "0015_session_check_results", "7d0d8b671772a0b0", "5cd9097aba66af3c"),
        (16, "0016_job_skip_duplicates", "5da22f8ba8cec36a", "4776103d7193b1cd"),
    ];

    [Theory]
    [InlineData("Sqlite")]
    [InlineData("PostgreSql")]
    public void For_EachProvider_RendersEveryShippedVersionUnchanged(string providerName)
    {
        var provider = Enum.Parse<DatabaseProvider>(providerName);

        var sut = MigrationScripts.For(provider);

        var rendered = sut.Select(s => $"{s.Version} {s.Name} {Fingerprint(s.Sql)}");
        var shipped = Shipped.Select(s => $"{s.Version} {s.Name} {(provider == DatabaseProvider.Sqlite ? s.Sqlite : s.PostgreSql)}");
        Assert.Equal(shipped, rendered);
    }

    [Fact]
    public void Compose_UnknownToken_ThrowsNamingFileAndToken()
    {
        var files = Files(("0001_first.sql", "CREATE TABLE t (id {id}, n {bigin} NOT NULL);"));

        var error = Assert.Throws<InvalidOperationException>(() => MigrationScripts.Compose(DatabaseProvider.Sqlite, files));

        Assert.Contains("0001_first.sql", error.Message, StringComparison.Ordinal);
        Assert.Contains("unknown token {bigin}", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Compose_UnknownTokenInTheOtherProvidersPart_ThrowsForThisProviderToo()
    {
        var files = Files(
            ("0001_first.sqlite.sql", "CREATE TABLE t (at INTEGER NOT NULL);"),
            ("0001_first.postgresql.sql", "CREATE TABLE t (at {timestamps} NOT NULL);"));

        var error = Assert.Throws<InvalidOperationException>(() => MigrationScripts.Compose(DatabaseProvider.Sqlite, files));

        Assert.Contains("0001_first.postgresql.sql: unknown token {timestamps}", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("CREATE TABLE t (doc TEXT NOT NULL DEFAULT '{}');")]
    [InlineData("CREATE TABLE t (id { id });")]
    [InlineData("CREATE TABLE t (id {id}});")]
    public void Compose_BraceThatIsNotAToken_Throws(string sql)
    {
        var error = Assert.Throws<InvalidOperationException>(() =>
            MigrationScripts.Compose(DatabaseProvider.PostgreSql, Files(("0001_first.sql", sql))));

        Assert.StartsWith("migration 0001_first.sql: ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Compose_PartForOneProviderOnly_ThrowsNamingTheOther()
    {
        var files = Files(("0001_first.sql", "CREATE TABLE t (id {id});"), ("0002_second.sqlite.sql", "DROP TABLE t;"));

        var error = Assert.Throws<InvalidOperationException>(() => MigrationScripts.Compose(DatabaseProvider.Sqlite, files));

        Assert.Contains("migration 0002_second: no script for PostgreSql", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("0001_first.mysql.sql")]
    [InlineData("1_first.sql")]
    [InlineData("Sqlite/0001_first.sql")]
    [InlineData("0001_First.sql")]
    public void Compose_MisnamedFile_Throws(string file)
    {
        var error = Assert.Throws<InvalidOperationException>(() =>
            MigrationScripts.Compose(DatabaseProvider.Sqlite, Files((file, "SELECT 1;"))));

        Assert.Contains(file, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Compose_TwoNamesForOneVersion_Throws()
    {
        var files = Files(("0001_first.sql", "SELECT 1;"), ("0001_other.sql", "SELECT 2;"));

        var error = Assert.Throws<InvalidOperationException>(() => MigrationScripts.Compose(DatabaseProvider.Sqlite, files));

        Assert.Contains("version 1 is already 0001_first", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Compose_SharedScriptAndAProvidersPart_SharedRenderedFirstThenThePart()
    {
        var files = Files(
            ("0001_first.sql", "CREATE TABLE t (id {id}, on_ {bool} NOT NULL DEFAULT {false}) -- no line break at the end"),
            ("0001_first.postgresql.sql", "ALTER TABLE t ALTER COLUMN on_ DROP DEFAULT;"),
            ("0002_second.sql", "CREATE TABLE u (at {timestamp} NULL, n {bigint} NULL, b {blob} NULL);\n"));

        var sqlite = MigrationScripts.Compose(DatabaseProvider.Sqlite, files);
        var postgres = MigrationScripts.Compose(DatabaseProvider.PostgreSql, files);

        Assert.Equal([(1, "0001_first"), (2, "0002_second")], sqlite.Select(s => (s.Version, s.Name)));
        Assert.Equal(
            "CREATE TABLE t (id INTEGER PRIMARY KEY, on_ INTEGER NOT NULL DEFAULT 0) -- no line break at the end\n",
            sqlite[0].Sql);
        Assert.Equal(
            "CREATE TABLE t (id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, on_ BOOLEAN NOT NULL DEFAULT FALSE) -- no line break at the end\n" +
            "ALTER TABLE t ALTER COLUMN on_ DROP DEFAULT;\n",
            postgres[0].Sql);
        Assert.Equal("CREATE TABLE u (at INTEGER NULL, n INTEGER NULL, b BLOB NULL);\n", sqlite[1].Sql);
        Assert.Equal("CREATE TABLE u (at TIMESTAMPTZ NULL, n BIGINT NULL, b BYTEA NULL);\n", postgres[1].Sql);
    }

    /// <summary>
    /// The first 16 hex digits of the SHA-256 of <paramref name="sql"/> without its comments, blank lines and the
    /// white space around each line: what the database runs, not how the file is laid out.
    /// </summary>
    private static string Fingerprint(string sql)
    {
        var lines = sql.ReplaceLineEndings("\n").Split('\n')
            .Select(line => (line.Contains("--", StringComparison.Ordinal) ? line[..line.IndexOf("--", StringComparison.Ordinal)] : line).Trim())
            .Where(line => line.Length > 0);
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('\n', lines)));
        return Convert.ToHexStringLower(hash)[..16];
    }

    private static Dictionary<string, string> Files(params (string Name, string Text)[] files) =>
        files.ToDictionary(f => f.Name, f => f.Text, StringComparer.Ordinal);
}
