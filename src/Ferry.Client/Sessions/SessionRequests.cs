using Ferry.Client.Contracts;
using Ferry.Core.Checks;

namespace Ferry.Client.Sessions;

/// <summary>
/// The request bodies of the session protocol, built from what <see cref="ISessionApi"/> is given: one place for every
/// implementation of the port (over HTTP, and in process on the server), so both send the server the same records.
/// A list past the API's limit throws <see cref="ListTooLongException"/>.
/// </summary>
public static class SessionRequests
{
    public static RegisterFilesRequest Register(IEnumerable<(string Path, long Size, DateTimeOffset LastModified, FileCapture? Capture)> files)
    {
        var list = new FileEntryList();
        foreach (var (path, size, lastModified, capture) in files)
        {
            list.Add(new FileEntry(path, size, lastModified, CaptureEntry(capture)));
        }

        return new RegisterFilesRequest(list);
    }

    public static RegisterFilesRequest RegisterHashed(IEnumerable<(string Path, long Size, DateTimeOffset LastModified, string Sha256)> files, bool skipDuplicates)
    {
        var list = new FileEntryList();
        foreach (var (path, size, lastModified, sha256) in files)
        {
            list.Add(new FileEntry(path, size, lastModified, Sha256: sha256));
        }

        return new RegisterFilesRequest(list, skipDuplicates);
    }

    public static PresignRequest Presign(IEnumerable<string> paths)
    {
        var list = new PathList();
        foreach (var path in paths)
        {
            list.Add(path);
        }

        return new PresignRequest(list);
    }

    public static CompleteFilesRequest Complete(IEnumerable<CompletedFile> files)
    {
        var list = new CompletedFileList();
        foreach (var file in files)
        {
            list.Add(file);
        }

        return new CompleteFilesRequest(list);
    }

    public static SignPartsRequest SignParts(IEnumerable<int> partNumbers)
    {
        var list = new PartNumberList();
        foreach (var number in partNumbers)
        {
            list.Add(number);
        }

        return new SignPartsRequest(list);
    }

    public static CompleteMultipartRequest CompleteMultipart(IEnumerable<(int PartNumber, string ETag)> parts)
    {
        var list = new PartEtagList();
        foreach (var (number, etag) in parts)
        {
            list.Add(new PartEtag(number, etag));
        }

        return new CompleteMultipartRequest(list);
    }

    /// <summary>What a file's headers say about its capture, as the API takes it (captured_at without a zone, offset in minutes).</summary>
    public static FileCaptureEntry? CaptureEntry(FileCapture? capture) => capture is null ? null : new(
        capture.CapturedAt?.ToString("yyyy-MM-ddTHH:mm:ss", System.Globalization.CultureInfo.InvariantCulture),
        capture.UtcOffset is { } offset ? (int?)offset.TotalMinutes : null,
        capture.MediaType, capture.Make, capture.Model, capture.Serial, capture.Exif is null ? null : new Dictionary<string, string>(capture.Exif));
}
