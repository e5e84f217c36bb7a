namespace Ferry.Server.Data.Migrations;

/// <summary>
/// One schema version as a provider runs it: <paramref name="Name"/> is the file name without extension
/// (<c>0005_storage_locations</c>), recorded in <c>schema_migrations</c>; <paramref name="Sql"/> is the shared script
/// rendered for the provider, followed by the provider's own part when the version has one.
/// </summary>
internal sealed record MigrationScript(int Version, string Name, string Sql);
