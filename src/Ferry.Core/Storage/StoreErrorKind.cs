namespace Ferry.Core.Storage;

/// <summary>What went wrong, in terms that decide whether to retry and what to tell the user.</summary>
public enum StoreErrorKind
{
    /// <summary>Anything not classified below; not retried.</summary>
    Other,
    /// <summary>The key or upload does not exist.</summary>
    NotFound,
    /// <summary>The bucket or root directory does not exist. Fatal for a run.</summary>
    ContainerNotFound,
    /// <summary>The credentials are missing, unknown or wrong. Fatal for a run.</summary>
    InvalidCredentials,
    /// <summary>The credentials are valid but not allowed to do this. Fatal for a run.</summary>
    AccessDenied,
    /// <summary>The endpoint could not be reached at all (DNS, connection refused). Retried; fatal at start.</summary>
    Unreachable,
    /// <summary>A timeout, reset connection or 5xx answer. Retried.</summary>
    Transient,
    /// <summary>The server asked to slow down (503 SlowDown, 429). Retried with backoff.</summary>
    Throttled,
    /// <summary>The bytes the server holds do not match what was sent. Retried.</summary>
    IntegrityMismatch,
    /// <summary>The store does not implement this operation (HTTP 405/501), e.g. s3rver's ListParts.</summary>
    NotSupported,
    /// <summary>The local disk is full or not writable.</summary>
    LocalStorage,
}
