using Ferry.Core.Storage;
using Polly;
using Polly.Retry;

namespace Ferry.Core.Transfer;

/// <summary>
/// Per-request retries: exponential backoff with jitter on timeouts, resets, 5xx, throttling and
/// integrity mismatches; throttling waits longer. What cannot succeed (credentials, missing bucket,
/// access denied, bad input) is never retried.
/// </summary>
public static class RetryPolicy
{
    /// <summary>
    /// A pipeline for a run: each retry is counted in <paramref name="progress"/> and told to <paramref name="observer"/>;
    /// throttling, timeouts, resets and 5xx answers are also told to <paramref name="concurrency"/> so it backs off.
    /// </summary>
    public static ResiliencePipeline Create(int retries, TimeSpan baseDelay, TransferProgress progress, ITransferObserver? observer, ConcurrencyController? concurrency = null) =>
        Create(retries, baseDelay, error =>
        {
            progress.AddRetry();
            if (error.Kind is StoreErrorKind.Throttled or StoreErrorKind.Transient)
            {
                concurrency?.OnCongestion();
            }

            observer?.OnRetry(error.Message);
        });

    /// <summary>A pipeline retrying at most <paramref name="retries"/> times; <paramref name="onRetry"/> sees each retry's cause.</summary>
    public static ResiliencePipeline Create(int retries, TimeSpan baseDelay, Action<StoreException>? onRetry)
    {
        if (retries <= 0)
        {
            return ResiliencePipeline.Empty;
        }

        return new ResiliencePipelineBuilder()
            .AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = retries,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = baseDelay,
                MaxDelay = TimeSpan.FromSeconds(30),
                ShouldHandle = new PredicateBuilder().Handle<StoreException>(e => e.IsTransient),
                DelayGenerator = args =>
                {
                    // SlowDown asks for a real pause: start throttling backoff at a second.
                    if (args.Outcome.Exception is StoreException { Kind: StoreErrorKind.Throttled })
                    {
                        var seconds = Math.Min(30, Math.Pow(2, args.AttemptNumber)) * (0.5 + Random.Shared.NextDouble() / 2);
                        return ValueTask.FromResult<TimeSpan?>(TimeSpan.FromSeconds(seconds));
                    }

                    return ValueTask.FromResult<TimeSpan?>(null);
                },
                OnRetry = args =>
                {
                    if (args.Outcome.Exception is StoreException error)
                    {
                        onRetry?.Invoke(error);
                    }

                    return ValueTask.CompletedTask;
                },
            })
            .Build();
    }
}
