namespace Ferry.Testing;

/// <summary>Deterministic bytes for tests: the same seed gives the same content.</summary>
public static class TestData
{
    public static byte[] Bytes(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    /// <summary>File names that have broken other tools: spaces, %, +, #, unicode (composed and decomposed), very long, deep.</summary>
    public static IReadOnlyList<string> HostileNames { get; } =
    [
        "plain.txt",
        "with space.WAV",
        "percent%20sign.txt",
        "plus+sign.txt",
        "hash#sign.txt",
        "ampersand&equals=.txt",
        "question?mark.txt",
        "quote'and\"double.txt",
        "unicode-ü-é-ß-雪.txt",
        "decomposed-u\u0308.txt",
        "emoji-🦉.txt",
        "brackets[1](2){3}.txt",
        "tilde~caret^.txt",
        "semicolon;colon:.txt",
        new string('l', 200) + ".txt",
        string.Join('/', Enumerable.Range(0, 20).Select(i => $"d{i}")) + "/deep.txt",
        "C2/950349/20260101_000000.WAV",
    ];
}
