namespace Ferry.Server.Data;

/// <summary>
/// The capture metadata of one session file (by session and path), recorded at registration; a company's through its
/// session. <see cref="CapturedAt"/> is the device's wall-clock time as <c>yyyy-MM-ddTHH:mm:ss</c>.
/// </summary>
internal sealed class SessionFileCapture
{
    public long SessionId { get; set; }
    public required string Path { get; set; }
    public string? CapturedAt { get; set; }
    public int? UtcOffsetMinutes { get; set; }
    public string? MediaType { get; set; }
    public string? Make { get; set; }
    public string? Model { get; set; }
    public string? Serial { get; set; }
    public string? Exif { get; set; }
}
