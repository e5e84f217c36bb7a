namespace Ferry.Client.Contracts;

/// <summary>How many items one call of the API takes at most; a longer list is refused with 400 before any of it is done.</summary>
public static class ApiLimits
{
    /// <summary>Files per <c>POST /api/sessions/{id}/files</c>.</summary>
    public const int MaximumRegisterBatch = 10_000;

    /// <summary>Paths per <c>POST /api/sessions/{id}/presign</c>.</summary>
    public const int MaximumPresignBatch = 10_000;

    /// <summary>Files per <c>POST /api/sessions/{id}/complete</c>.</summary>
    public const int MaximumCompleteBatch = 1_000;

    /// <summary>Files per <c>POST /api/sessions/{id}/relay</c>.</summary>
    public const int MaximumRelayBatch = 1_000;

    /// <summary>Bytes of one <c>POST /api/sessions/{id}/relay</c> body (the form with its files).</summary>
    public const long MaximumRelayBytes = 64L << 20;

    /// <summary>Part numbers per <c>POST /api/sessions/{id}/multipart/{uploadId}/parts</c>.</summary>
    public const int MaximumPartsPerSigning = 1_000;

    /// <summary>Parts per <c>POST /api/sessions/{id}/multipart/{uploadId}/complete</c>.</summary>
    public const int MaximumPartsPerCompletion = 10_000;
}
