using System.Text.Json;
using Ferry.Core;

namespace Ferry.Cli.Server;

/// <summary>
/// Tokens from <c>ferry login</c>, per server, in <c>server-tokens.json</c> in Ferry's data directory (mode 0600).
/// <c>FERRY_TOKEN</c>, when set, is used instead for every server.
/// </summary>
internal static class ServerTokenStore
{
    /// <summary>One server's sign-in as the file holds it.</summary>
    internal sealed record Entry(string Token, string Username, DateTimeOffset ExpiresAt);

    public static string FilePath => Path.Combine(FerryPaths.DataDirectory, "server-tokens.json");

    /// <summary>The server URL in the form tokens are stored under: scheme://host[:port], no path.</summary>
    public static Uri Normalize(string text)
    {
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            throw CliException.Usage($"'{text}' is not a Ferry server URL; write it as http://HOST:PORT or https://HOST");
        }

        return new Uri(uri.GetLeftPart(UriPartial.Authority) + "/");
    }

    public static void Save(Uri server, string token, string username, DateTimeOffset expiresAt)
    {
        var entries = Load();
        entries[Key(server)] = new Entry(token, username, expiresAt);
        Directory.CreateDirectory(FerryPaths.DataDirectory);
        var temporary = FilePath + ".tmp";
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var stream = new FileStream(temporary, options))
        {
            JsonSerializer.Serialize(stream, entries, ServerTokenJson.Default.DictionaryStringEntry);
        }

        File.Move(temporary, FilePath, overwrite: true);
    }

    /// <summary>The token for <paramref name="server"/>; throws a usage error naming <c>ferry login</c> when there is none or it expired.</summary>
    public static string Find(Uri server, TimeProvider time)
    {
        if (Environment.GetEnvironmentVariable("FERRY_TOKEN") is { Length: > 0 } token)
        {
            return token;
        }

        if (!Load().TryGetValue(Key(server), out var entry))
        {
            throw CliException.Usage($"not signed in to {Key(server)}; run 'ferry login {Key(server)}' first (or set FERRY_TOKEN)");
        }

        if (entry.ExpiresAt <= time.GetUtcNow())
        {
            throw CliException.Usage($"the sign-in to {Key(server)} expired at {entry.ExpiresAt:u}; run 'ferry login {Key(server)}' again");
        }

        return entry.Token;
    }

    private static string Key(Uri server) => server.GetLeftPart(UriPartial.Authority);

    private static Dictionary<string, Entry> Load()
    {
        if (!File.Exists(FilePath))
        {
            return new Dictionary<string, Entry>(StringComparer.OrdinalIgnoreCase);
        }

        try
        {
            using var stream = File.OpenRead(FilePath);
            var loaded = JsonSerializer.Deserialize(stream, ServerTokenJson.Default.DictionaryStringEntry);
            return new Dictionary<string, Entry>(loaded ?? [], StringComparer.OrdinalIgnoreCase);
        }
        catch (JsonException)
        {
            throw CliException.Usage($"{FilePath} is not valid JSON; delete it and run 'ferry login' again");
        }
    }
}
