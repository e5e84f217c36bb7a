namespace Ferry.Core.Checks;

/// <summary>What <see cref="MediaInspector"/> found in one file: its format, size, the first structural problem (or null) and its capture metadata.</summary>
internal sealed record FileInspection(MediaKind Kind, long Size, (CheckProblem Problem, string Message)? Problem, CaptureMetadata Metadata);
