using Ferry.Testing;

namespace Ferry.Server.Tests.Attacks;

/// <summary>A SQLite server with small caps on donations, so a test can pass them with little data.</summary>
public sealed class SmallCapsSqliteFixture : SqliteServerFixture
{
    protected override void AddSettings(Dictionary<string, string?> settings) => SmallCaps.Add(settings);
}

/// <summary>A PostgreSQL server with small caps on donations.</summary>
public sealed class SmallCapsPostgresFixture : ServerFixture
{
    protected override Task<string> CreateDatabaseAsync(string directory) => PostgresServer.Shared.CreateDatabaseAsync();

    protected override void AddSettings(Dictionary<string, string?> settings) => SmallCaps.Add(settings);
}

/// <summary>A SQLite server where one user may hold two event streams and signs in for 10 minutes (presigned URLs live 1 hour).</summary>
public sealed class TwoStreamsSqliteFixture : SqliteServerFixture
{
    protected override void AddSettings(Dictionary<string, string?> settings)
    {
        settings["Ferry:EventStreamsPerUser"] = "2";
        settings["Ferry:TokenLifetime"] = "00:10:00";
        settings["Ferry:PresignLifetime"] = "01:00:00";
    }
}

/// <summary>A SQLite server whose event streams last 2 seconds.</summary>
public sealed class ShortStreamsSqliteFixture : SqliteServerFixture
{
    protected override void AddSettings(Dictionary<string, string?> settings) => settings["Ferry:EventStreamLifetime"] = "00:00:02";
}

internal static class SmallCaps
{
    /// <summary>The cap on decompressed bytes per donation in these fixtures: 64 MiB.</summary>
    public const long DecompressedBytes = 64L << 20;

    public const long Records = 1_000_000;

    public const int LineBytes = 4096;

    public static void Add(Dictionary<string, string?> settings)
    {
        settings["Ferry:DonationMaximumDecompressedBytes"] = DecompressedBytes.ToString(System.Globalization.CultureInfo.InvariantCulture);
        settings["Ferry:DonationMaximumRecords"] = Records.ToString(System.Globalization.CultureInfo.InvariantCulture);
        settings["Ferry:DonationMaximumLineBytes"] = LineBytes.ToString(System.Globalization.CultureInfo.InvariantCulture);
        settings["Ferry:DonationMaximumRunningPerUser"] = "2";
    }
}
