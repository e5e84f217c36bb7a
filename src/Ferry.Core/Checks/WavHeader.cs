namespace Ferry.Core.Checks;

/// <summary>What <see cref="WavCheck"/> keeps from a WAV header for <see cref="CaptureMetadataReader"/>.</summary>
internal sealed class WavHeader
{
    public int? SampleRate { get; set; }

    /// <summary>LIST/INFO ICMT: AudioMoth writes "Recorded at 10:00:00 01/05/2026 (UTC) by AudioMoth 24F3190361DA7A27 at …".</summary>
    public string? Comment { get; set; }

    /// <summary>LIST/INFO IART: AudioMoth writes "AudioMoth 24F3190361DA7A27".</summary>
    public string? Artist { get; set; }

    /// <summary>The <c>guan</c> chunk: GUANO's <c>key: value</c> lines.</summary>
    public string? Guano { get; set; }
}
