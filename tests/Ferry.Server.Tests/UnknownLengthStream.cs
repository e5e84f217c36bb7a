namespace Ferry.Server.Tests;

/// <summary>A body sent without Content-Length (chunked on a real connection).</summary>
internal sealed class UnknownLengthStream(byte[] content) : MemoryStream(content)
{
    public override bool CanSeek => false;
}
