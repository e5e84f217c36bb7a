namespace Ferry.Core.Checks;

/// <summary>
/// Checks one file from its head and tail: empty, all-zero (sampled), then the structure of its format, chosen by
/// extension and else by its first bytes; then reads its capture metadata. Never reads a whole file.
/// </summary>
internal static class MediaInspector
{
    /// <summary>Blocks sampled for the all-zero check, spread from the first to the last; each <see cref="ZeroBlockSize"/> bytes.</summary>
    public const int ZeroBlocks = 8;

    public const int ZeroBlockSize = 4096;

    public static FileInspection Inspect(string fullPath)
    {
        using var file = FileSample.Open(fullPath);
        if (file.Length == 0)
        {
            return new FileInspection(MediaKind.Other, 0, (CheckProblem.Empty, "zero bytes"), CaptureMetadata.None);
        }

        if (!file.Head.ContainsAnyExcept((byte)0) && file.SampledBlocksAreZero(ZeroBlocks, ZeroBlockSize))
        {
            var sampled = Math.Min(file.Length, (long)ZeroBlocks * ZeroBlockSize);
            return new FileInspection(MediaKind.Other, file.Length,
                (CheckProblem.AllZero, $"all zero in every sampled block ({sampled} of {file.Length} bytes read): the data never reached the card, or it was erased"),
                CaptureMetadata.None);
        }

        var kind = KindOf(fullPath, file.Head);
        switch (kind)
        {
            case MediaKind.Jpeg:
                var jpegProblem = JpegCheck.Inspect(file, out var headerEnd);
                return new FileInspection(kind, file.Length, jpegProblem, CaptureMetadataReader.ReadJpeg(file, headerEnd));
            case MediaKind.Wav:
                var wavProblem = WavCheck.Inspect(file, out var wav);
                return new FileInspection(kind, file.Length, wavProblem, CaptureMetadataReader.ReadWav(wav));
            case MediaKind.IsoBmff:
                var movieProblem = IsoBmffCheck.Inspect(file);
                return new FileInspection(kind, file.Length, movieProblem, movieProblem is null ? CaptureMetadataReader.ReadIsoBmff(fullPath) : CaptureMetadata.None);
            case MediaKind.Avi:
                return new FileInspection(kind, file.Length, AviCheck.Inspect(file), CaptureMetadata.None);
            default:
                return new FileInspection(kind, file.Length, null, CaptureMetadata.None);
        }
    }

    /// <summary>By extension (so a damaged header is reported as damage, not as "some other file"), else by magic bytes.</summary>
    public static MediaKind KindOf(string path, ReadOnlySpan<byte> head)
    {
        switch (Path.GetExtension(path).ToLowerInvariant())
        {
            case ".jpg" or ".jpeg" or ".jpe":
                return MediaKind.Jpeg;
            case ".wav" or ".wave":
                return MediaKind.Wav;
            case ".mp4" or ".mov" or ".m4v" or ".m4a" or ".3gp" or ".qt":
                return MediaKind.IsoBmff;
            case ".avi":
                return MediaKind.Avi;
        }

        if (head.Length >= 3 && head[0] == 0xFF && head[1] == 0xD8 && head[2] == 0xFF)
        {
            return MediaKind.Jpeg;
        }

        if (head.Length >= 12 && RiffChunk.FourCc(head) == "RIFF")
        {
            return RiffChunk.FourCc(head[8..]) switch
            {
                "WAVE" => MediaKind.Wav,
                "AVI " => MediaKind.Avi,
                _ => MediaKind.Other,
            };
        }

        return IsoBmffCheck.LooksLikeOne(head) ? MediaKind.IsoBmff : MediaKind.Other;
    }
}
