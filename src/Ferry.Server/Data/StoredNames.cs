using System.Collections.Frozen;

namespace Ferry.Server.Data;

/// <summary>
/// The words a status enum (<see cref="JobStatus"/>, <see cref="SessionStatus"/>, <see cref="FileStatus"/>,
/// <see cref="ExportStatus"/>…) is held as in the database and shown in the API, the pages and the metrics: each
/// member's name in lower case (<c>Queued</c> is <c>queued</c>). The enum is the one description of its vocabulary;
/// <see cref="StoredNameConverter{TEnum}"/> stores it through EF, and the edges (API contracts, pages, raw SQL) call
/// <see cref="Name{TEnum}"/>.
/// </summary>
internal static class StoredNames
{
    /// <summary>The member's stored word; throws for a value that is not a member.</summary>
    public static string Name<TEnum>(this TEnum value) where TEnum : struct, Enum =>
        Vocabulary<TEnum>.Names.TryGetValue(value, out var name)
            ? name
            : throw new ArgumentOutOfRangeException(nameof(value), value, $"not a {typeof(TEnum).Name}");

    /// <summary>The member a stored word stands for (exactly, in lower case; no numbers); false for any other text.</summary>
    public static bool TryParse<TEnum>(string? name, out TEnum value) where TEnum : struct, Enum
    {
        if (name is not null && Vocabulary<TEnum>.Values.TryGetValue(name, out value))
        {
            return true;
        }

        value = default;
        return false;
    }

    /// <summary>The member a stored word stands for; throws for a word the enum does not have (a row the code cannot read).</summary>
    public static TEnum Parse<TEnum>(string name) where TEnum : struct, Enum =>
        TryParse<TEnum>(name, out var value) ? value : throw new InvalidOperationException($"'{name}' is not a {typeof(TEnum).Name}");

    public static bool IsKnown<TEnum>(string? name) where TEnum : struct, Enum => TryParse<TEnum>(name, out _);

    private static class Vocabulary<TEnum> where TEnum : struct, Enum
    {
        public static readonly FrozenDictionary<TEnum, string> Names =
            Enum.GetValues<TEnum>().ToFrozenDictionary(v => v, v => v.ToString().ToLowerInvariant());

        public static readonly FrozenDictionary<string, TEnum> Values =
            Names.ToFrozenDictionary(p => p.Value, p => p.Key, StringComparer.Ordinal);
    }
}
