namespace Ferry.Core.Storage;

/// <summary>A store operation failed; <see cref="Kind"/> says how, the message says it for people.</summary>
public sealed class StoreException : Exception
{
    public StoreException(StoreErrorKind kind, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Kind = kind;
    }

    public StoreErrorKind Kind { get; }

    /// <summary>True for failures that another attempt may fix.</summary>
    public bool IsTransient => Kind is StoreErrorKind.Transient or StoreErrorKind.Throttled
        or StoreErrorKind.IntegrityMismatch or StoreErrorKind.Unreachable;

    /// <summary>True for failures that stop the whole run: nothing else can succeed either.</summary>
    public bool IsFatalForRun => Kind is StoreErrorKind.ContainerNotFound or StoreErrorKind.InvalidCredentials
        or StoreErrorKind.AccessDenied;
}
