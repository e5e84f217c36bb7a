namespace Ferry.Core.Checks;

/// <summary>The container formats whose structure <see cref="MediaInspector"/> checks.</summary>
public enum MediaKind
{
    /// <summary>Not a format Ferry checks beyond empty and all-zero.</summary>
    Other,
    Jpeg,
    Wav,

    /// <summary>ISO base media (MP4, MOV, M4V, 3GP): top-level boxes.</summary>
    IsoBmff,
    Avi,
}
