namespace Ferry.Core.Storage;

/// <summary>
/// The ability to hand out short-lived URLs that let someone without credentials write one object
/// (or one part of a multipart upload) straight to the store. Presigning is local computation: no request is made.
/// </summary>
public interface IPresigningObjectStore
{
    /// <summary>
    /// A URL for one PUT of exactly <paramref name="size"/> bytes to <paramref name="key"/> (the length is signed: the
    /// store refuses any other), valid from <paramref name="now"/> for <paramref name="lifetime"/> (1 second to 7 days).
    /// </summary>
    PresignedRequest PresignPut(string key, long size, DateTimeOffset now, TimeSpan lifetime);

    /// <summary>
    /// A browser form upload (POST with multipart/form-data) of exactly <paramref name="size"/> bytes to <paramref name="key"/>:
    /// a signed policy allowing that one key and that one length. Browsers send it without a CORS preflight, which a PUT always needs.
    /// </summary>
    PresignedRequest PresignPost(string key, long size, DateTimeOffset now, TimeSpan lifetime);

    /// <summary>A URL for one PUT of part <paramref name="partNumber"/> (1–10,000) of multipart upload <paramref name="uploadId"/>.</summary>
    PresignedRequest PresignUploadPart(string key, string uploadId, int partNumber, DateTimeOffset now, TimeSpan lifetime);

    /// <summary>A URL for one GET of <paramref name="key"/>, valid from <paramref name="now"/> for <paramref name="lifetime"/> (1 second to 7 days).</summary>
    PresignedRequest PresignGet(string key, DateTimeOffset now, TimeSpan lifetime);

    /// <summary>The object's plain URL (unsigned): readable by whoever the bucket's policy lets read it.</summary>
    string ObjectUrl(string key);
}
