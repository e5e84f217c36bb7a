namespace Ferry.Core.Transfer;

/// <summary>The local file changed (size or modification time) while Ferry read it; its bytes must be read again.</summary>
public sealed class SourceChangedException(string path) : Exception($"{path} changed while it was being read")
{
}
