namespace Ferry.Core.Transfer;

/// <summary>An upload must start over from the first byte (the store lost a multipart upload being resumed).</summary>
public sealed class UploadRestartException(string message, Exception innerException) : Exception(message, innerException)
{
}
