namespace Ferry.Server.Data;

/// <summary>The databases Ferry's server runs on.</summary>
internal enum DatabaseProvider
{
    Sqlite,
    PostgreSql,
}
