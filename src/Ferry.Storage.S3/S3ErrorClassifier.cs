using System.Net;
using System.Net.Sockets;
using Amazon.Runtime;
using Amazon.S3;
using Ferry.Core.Storage;

namespace Ferry.Storage.S3;

/// <summary>Turns what the SDK and the network throw into a <see cref="StoreException"/> with a kind and a message for people.</summary>
internal static class S3ErrorClassifier
{
    /// <summary>The classified error, or null for exceptions that are not the store's to classify (cancellation by the caller).</summary>
    public static StoreException? Classify(Exception exception, string bucket, string key, string endpoint)
    {
        switch (exception)
        {
            case StoreException:
                return null;
            case TaskCanceledException when exception.InnerException is TimeoutException:
                return new StoreException(StoreErrorKind.Transient, $"the request to {endpoint} timed out", exception);
            case OperationCanceledException:
                return null;
            case AmazonS3Exception s3:
                return FromService(s3, s3.ErrorCode, s3.StatusCode, bucket, key, endpoint);
            case AmazonServiceException service when service.InnerException is HttpRequestException or IOException or SocketException:
                return FromNetwork(service.InnerException!, endpoint);
            case AmazonServiceException service when service.StatusCode != 0:
                return FromService(service, service.ErrorCode, service.StatusCode, bucket, key, endpoint);
            case HttpRequestException or IOException or SocketException or TimeoutException:
                return FromNetwork(exception, endpoint);
            case AmazonClientException client when client.InnerException is { } inner && Classify(inner, bucket, key, endpoint) is { } innerError:
                return innerError;
            case AmazonClientException client when client.Message.Contains("credentials", StringComparison.OrdinalIgnoreCase):
                return new StoreException(StoreErrorKind.InvalidCredentials, "no AWS credentials found; set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or name a profile with --profile", exception);
            case AmazonClientException:
                return new StoreException(StoreErrorKind.Other, $"S3 client error: {exception.Message}", exception);
            default:
                return null;
        }
    }

    /// <summary>An error answer received without the SDK (status and the XML body's Code).</summary>
    public static StoreException FromResponse(HttpStatusCode status, string? code, string bucket, string key, string endpoint) =>
        FromService(new HttpRequestException($"HTTP {(int)status} {code}", null, status), code, status, bucket, key, endpoint);

    private static StoreException FromService(Exception exception, string? code, HttpStatusCode status, string bucket, string key, string endpoint)
    {
        var (kind, message) = code switch
        {
            "NoSuchBucket" => (StoreErrorKind.ContainerNotFound, $"bucket '{bucket}' does not exist at {endpoint}; create it or fix the bucket name"),
            "InvalidAccessKeyId" => (StoreErrorKind.InvalidCredentials, $"the access key id is not known to {endpoint}; check AWS_ACCESS_KEY_ID or the profile's credentials"),
            "SignatureDoesNotMatch" => (StoreErrorKind.InvalidCredentials, $"the secret access key was rejected by {endpoint}; check AWS_SECRET_ACCESS_KEY or the profile's credentials"),
            "ExpiredToken" or "InvalidToken" or "TokenRefreshRequired" => (StoreErrorKind.InvalidCredentials, "the session token is expired or invalid; refresh your credentials"),
            "AccessDenied" or "AllAccessDisabled" => (StoreErrorKind.AccessDenied, $"access denied to s3://{bucket}/{key}; the credentials lack permission for this bucket"),
            "RequestTimeTooSkewed" => (StoreErrorKind.InvalidCredentials, "this machine's clock differs too much from the server's; set the clock (NTP) and run again"),
            "NoSuchKey" or "NoSuchUpload" or "NotFound" => (StoreErrorKind.NotFound, $"s3://{bucket}/{key} does not exist"),
            "SlowDown" or "Throttling" or "ThrottlingException" or "RequestLimitExceeded" => (StoreErrorKind.Throttled, $"{endpoint} asked to slow down ({code})"),
            "BadDigest" or "InvalidDigest" or "XAmzContentSHA256Mismatch" => (StoreErrorKind.IntegrityMismatch, $"the server received different bytes than were sent for s3://{bucket}/{key} ({code})"),
            "NotImplemented" or "MethodNotAllowed" => (StoreErrorKind.NotSupported, $"{endpoint} does not implement this request ({code})"),
            "RequestTimeout" or "InternalError" or "ServiceUnavailable" => (StoreErrorKind.Transient, $"{endpoint} failed the request ({code}); it will be retried"),
            _ => Classify(status, code, bucket, key, endpoint),
        };
        return new StoreException(kind, message, exception);
    }

    private static (StoreErrorKind, string) Classify(HttpStatusCode status, string? code, string bucket, string key, string endpoint) => (int)status switch
    {
        405 or 501 => (StoreErrorKind.NotSupported, $"{endpoint} does not implement this request (HTTP {(int)status} {code})"),
        404 => (StoreErrorKind.NotFound, $"s3://{bucket}/{key} does not exist"),
        403 => (StoreErrorKind.AccessDenied, $"access denied to s3://{bucket}/{key} (HTTP 403 {code}); check the credentials and the bucket's policy"),
        429 or 503 => (StoreErrorKind.Throttled, $"{endpoint} asked to slow down (HTTP {(int)status})"),
        >= 500 => (StoreErrorKind.Transient, $"{endpoint} answered HTTP {(int)status} {code}"),
        301 or 307 => (StoreErrorKind.Other, $"bucket '{bucket}' is in another region; set --region to the bucket's region"),
        _ => (StoreErrorKind.Other, $"{endpoint} refused the request: HTTP {(int)status} {code}"),
    };

    private static StoreException FromNetwork(Exception exception, string endpoint)
    {
        var socket = FindSocketError(exception);
        if (socket is SocketError.ConnectionRefused or SocketError.HostNotFound or SocketError.HostUnreachable or SocketError.NetworkUnreachable or SocketError.TryAgain or SocketError.NoData)
        {
            return new StoreException(StoreErrorKind.Unreachable, $"cannot connect to {endpoint} ({socket}); check --endpoint and that the server is running", exception);
        }

        return new StoreException(StoreErrorKind.Transient, $"network error talking to {endpoint}: {exception.Message}", exception);
    }

    private static SocketError? FindSocketError(Exception? exception)
    {
        for (var current = exception; current is not null; current = current.InnerException)
        {
            if (current is SocketException socket)
            {
                return socket.SocketErrorCode;
            }
        }

        return null;
    }
}
