using System.CommandLine;
using Amazon.S3;
using Amazon.S3.Model;
using Ferry.Cli.Stores;
using Ferry.Storage.S3;

namespace Ferry.Cli.Commands;

/// <summary>
/// <c>ferry s3 cors BUCKET --origin URL</c> and <c>ferry s3 lifecycle BUCKET</c>: the bucket settings browser uploads need.
/// Each adds or replaces Ferry's own rule (by its ID) and keeps every other rule of the bucket.
/// </summary>
internal sealed class S3Command
{
    public const string CorsRuleId = "ferry-browser-uploads";
    public const string LifecycleRuleId = "ferry-abort-incomplete-multipart";

    private readonly S3Options _s3 = new();
    private readonly Argument<string> _corsBucket = new("bucket") { Description = "The bucket (name or s3://NAME)" };
    private readonly Option<string[]> _origins = new("--origin") { Description = "A web origin allowed to upload, e.g. https://ferry.example.org (repeatable)", Required = true, AllowMultipleArgumentsPerToken = false };
    private readonly S3Options _s3Lifecycle = new();
    private readonly Argument<string> _lifecycleBucket = new("bucket") { Description = "The bucket (name or s3://NAME)" };
    private readonly Option<int> _days = new("--days") { Description = "Abort multipart uploads left unfinished this many days (1-365)", DefaultValueFactory = _ => 7 };

    public Command Build()
    {
        var cors = new Command("cors", "Allow browsers from ORIGIN to upload to the bucket with presigned URLs (PUT, POST forms) and read the ETag header.\n\nExit codes:\n  0  the rule is in place\n  2  bad origin, credentials, endpoint or bucket, or the storage server refused the setting").With(_corsBucket, _origins);
        _s3.AddTo(cors);
        cors.SetAction((parse, cancellationToken) => CorsAsync(parse, cancellationToken));

        var lifecycle = new Command("lifecycle", "Add the rule that aborts multipart uploads abandoned for --days days (their parts cost storage and are invisible).\n\nExit codes:\n  0  the rule is in place\n  2  bad days, credentials, endpoint or bucket, or the storage server refused the setting").With(_lifecycleBucket, _days);
        _s3Lifecycle.AddTo(lifecycle);
        lifecycle.SetAction((parse, cancellationToken) => LifecycleAsync(parse, cancellationToken));

        var command = new Command("s3", "Bucket settings for browser uploads, and the IAM policy each role of Ferry needs.");
        command.Subcommands.Add(cors);
        command.Subcommands.Add(lifecycle);
        command.Subcommands.Add(new S3PolicyCommand().Build());
        return command;
    }

    private async Task<int> CorsAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        var origins = parse.GetValue(_origins)!;
        foreach (var origin in origins)
        {
            if (origin != "*" && (!Uri.TryCreate(origin, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || uri.AbsolutePath != "/"))
            {
                throw CliException.Usage($"'{origin}' is not a web origin; write it as https://HOST[:PORT] with no path");
            }
        }

        using var store = Open(parse, _s3, _corsBucket);
        await CallAsync(store, "CORS", async () =>
        {
            var rules = await ExistingAsync(() => store.Client.GetCORSConfigurationAsync(store.Bucket, cancellationToken), r => r.Configuration?.Rules);
            rules.RemoveAll(r => r.Id == CorsRuleId);
            rules.Add(new CORSRule
            {
                Id = CorsRuleId,
                AllowedOrigins = origins.Select(o => o.TrimEnd('/')).ToList(),
                AllowedMethods = ["PUT", "POST", "GET", "HEAD"],
                AllowedHeaders = ["*"],
                ExposeHeaders = ["ETag"],
                MaxAgeSeconds = 3000,
            });
            await store.Client.PutCORSConfigurationAsync(new PutCORSConfigurationRequest { BucketName = store.Bucket, Configuration = new CORSConfiguration { Rules = rules } }, cancellationToken);
        }, cancellationToken);
        Console.WriteLine($"s3://{store.Bucket}: browsers from {string.Join(", ", origins)} may upload with presigned URLs (PUT, POST) and read ETag (rule {CorsRuleId})");
        return ExitCodes.Success;
    }

    private async Task<int> LifecycleAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        var days = parse.GetValue(_days);
        if (days is < 1 or > 365)
        {
            throw CliException.Usage("--days must be from 1 to 365");
        }

        using var store = Open(parse, _s3Lifecycle, _lifecycleBucket);
        await CallAsync(store, "lifecycle", async () =>
        {
            var rules = await ExistingAsync(() => store.Client.GetLifecycleConfigurationAsync(store.Bucket, cancellationToken), r => r.Configuration?.Rules);
            rules.RemoveAll(r => r.Id == LifecycleRuleId);
            rules.Add(new LifecycleRule
            {
                Id = LifecycleRuleId,
                Status = LifecycleRuleStatus.Enabled,
                Filter = new LifecycleFilter { LifecycleFilterPredicate = new LifecyclePrefixPredicate { Prefix = "" } },
                AbortIncompleteMultipartUpload = new LifecycleRuleAbortIncompleteMultipartUpload { DaysAfterInitiation = days },
            });
            await store.Client.PutLifecycleConfigurationAsync(new PutLifecycleConfigurationRequest { BucketName = store.Bucket, Configuration = new LifecycleConfiguration { Rules = rules } }, cancellationToken);
        }, cancellationToken);
        Console.WriteLine($"s3://{store.Bucket}: multipart uploads left unfinished for {days} day(s) are aborted (rule {LifecycleRuleId})");
        return ExitCodes.Success;
    }

    private static S3ObjectStore Open(ParseResult parse, S3Options s3, Argument<string> bucketArgument)
    {
        var text = parse.GetValue(bucketArgument)!;
        var bucket = text.StartsWith("s3://", StringComparison.Ordinal) ? text[5..].TrimEnd('/') : text;
        if (bucket.Length == 0 || bucket.Contains('/', StringComparison.Ordinal))
        {
            throw CliException.Usage($"'{text}' is not a bucket; give its name or s3://NAME without a prefix");
        }

        return (S3ObjectStore)StoreConnection.Open(StoreConnection.ParseLocation("s3://" + bucket), s3.Read(parse, 4));
    }

    /// <summary>The bucket's rules, or an empty list when it has none (S3 answers that with an error code).</summary>
    private static async Task<List<T>> ExistingAsync<TResponse, T>(Func<Task<TResponse>> get, Func<TResponse, List<T>?> rules)
    {
        try
        {
            return rules(await get()) ?? [];
        }
        catch (AmazonS3Exception ex) when (ex.ErrorCode is "NoSuchCORSConfiguration" or "NoSuchLifecycleConfiguration" || ex.StatusCode == System.Net.HttpStatusCode.NotFound && ex.ErrorCode != "NoSuchBucket")
        {
            return [];
        }
    }

    private static async Task CallAsync(S3ObjectStore store, string setting, Func<Task> call, CancellationToken cancellationToken)
    {
        await StoreConnection.CheckAccessAsync(store, cancellationToken);
        try
        {
            await call();
        }
        catch (AmazonS3Exception ex)
        {
            throw CliException.Usage(ex.StatusCode is System.Net.HttpStatusCode.NotImplemented or System.Net.HttpStatusCode.MethodNotAllowed
                ? $"the storage server at s3://{store.Bucket} does not support {setting} rules ({ex.ErrorCode}); set the equivalent in its own configuration"
                : $"cannot set the {setting} rule of s3://{store.Bucket}: {ex.Message} ({ex.ErrorCode})");
        }
    }
}
