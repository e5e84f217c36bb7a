using System.Collections.Concurrent;
using System.Globalization;
using System.Reflection;
using System.Text.RegularExpressions;

namespace Ferry.Server.Data.Migrations;

/// <summary>
/// The schema versions, written once for both providers (Data/Migrations/NNNN_name.sql, embedded as
/// <c>migrations/…</c>). A version is a shared script in <see cref="MigrationDialect"/>, a part of the provider's own
/// (NNNN_name.sqlite.sql, NNNN_name.postgresql.sql) where the SQL really differs, or both: the shared script runs
/// first, then the provider's part, as one script. Every version must exist for every provider, under one name.
/// Anything else — a misnamed file, a missing provider, an unknown token in any provider's file — throws
/// <see cref="InvalidOperationException"/> when the scripts load (<c>ferry db migrate</c> and every start).
/// </summary>
internal static partial class MigrationScripts
{
    private const string ResourceFolder = "migrations/";

    private static readonly ConcurrentDictionary<DatabaseProvider, IReadOnlyList<MigrationScript>> Loaded = new();

    /// <summary>The embedded scripts as <paramref name="provider"/> runs them, by version.</summary>
    public static IReadOnlyList<MigrationScript> For(DatabaseProvider provider) =>
        Loaded.GetOrAdd(provider, p => Compose(p, ReadEmbedded()));

    /// <summary>
    /// The scripts that <paramref name="files"/> (file name → text) make for <paramref name="provider"/>, by version,
    /// after checking all of them for every provider.
    /// </summary>
    public static IReadOnlyList<MigrationScript> Compose(DatabaseProvider provider, IReadOnlyDictionary<string, string> files)
    {
        var providers = Enum.GetValues<DatabaseProvider>();
        var versions = new SortedDictionary<int, (string Name, Dictionary<string, string> Parts)>();
        foreach (var (file, text) in files.OrderBy(f => f.Key, StringComparer.Ordinal))
        {
            var match = FileName().Match(file);
            var part = match.Groups[3].Value;
            if (!match.Success || (part.Length > 0 && !providers.Any(p => Suffix(p) == part)))
            {
                throw new InvalidOperationException(
                    $"migration {file}: not NNNN_name.sql, NNNN_name.sqlite.sql or NNNN_name.postgresql.sql");
            }

            var version = int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
            var name = $"{match.Groups[1].Value}_{match.Groups[2].Value}";
            if (!versions.TryGetValue(version, out var entry))
            {
                entry = (name, new Dictionary<string, string>(StringComparer.Ordinal));
                versions.Add(version, entry);
            }
            else if (entry.Name != name)
            {
                throw new InvalidOperationException($"migration {file}: version {version} is already {entry.Name}");
            }

            foreach (var each in providers)
            {
                MigrationDialect.Render(text, each, file); // a typo in one provider's part fails on the other too
            }

            entry.Parts.Add(part, text);
        }

        var scripts = new List<MigrationScript>();
        foreach (var (version, (name, parts)) in versions)
        {
            var missing = providers.Where(p => !parts.ContainsKey(string.Empty) && !parts.ContainsKey(Suffix(p))).ToList();
            if (missing.Count > 0)
            {
                throw new InvalidOperationException(
                    $"migration {name}: no script for {string.Join(", ", missing)} (write {name}.sql, or a part for every provider)");
            }

            var sql = string.Concat(new[] { string.Empty, Suffix(provider) }
                .Where(parts.ContainsKey)
                .Select(part => Terminated(MigrationDialect.Render(parts[part], provider, FileOf(name, part)))));
            scripts.Add(new MigrationScript(version, name, sql));
        }

        return scripts;
    }

    private static Dictionary<string, string> ReadEmbedded()
    {
        var assembly = Assembly.GetExecutingAssembly();
        var files = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var resource in assembly.GetManifestResourceNames())
        {
            var path = resource.Replace('\\', '/');
            if (!path.StartsWith(ResourceFolder, StringComparison.Ordinal))
            {
                continue;
            }

            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var reader = new StreamReader(stream);
            files.Add(path[ResourceFolder.Length..], reader.ReadToEnd());
        }

        return files;
    }

    /// <summary>The file-name part that marks <paramref name="provider"/>'s own script: <c>sqlite</c>, <c>postgresql</c>.</summary>
    private static string Suffix(DatabaseProvider provider) => provider switch
    {
        DatabaseProvider.Sqlite => "sqlite",
        DatabaseProvider.PostgreSql => "postgresql",
        _ => throw new ArgumentOutOfRangeException(nameof(provider), provider, null),
    };

    private static string FileOf(string name, string part) => part.Length == 0 ? $"{name}.sql" : $"{name}.{part}.sql";

    /// <summary>Ends with a line break, so a trailing comment cannot swallow the start of the part that follows.</summary>
    private static string Terminated(string sql) => sql.EndsWith('\n') ? sql : sql + "\n";

    [GeneratedRegex(@"^(\d{4})_([a-z0-9_]+?)(?:\.([a-z]+))?\.sql$")]
    private static partial Regex FileName();
}
