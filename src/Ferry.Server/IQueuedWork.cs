using System.Threading.Channels;

namespace Ferry.Server;

/// <summary>Work that is queued by id and run one at a time by a <see cref="QueueWorker"/>: donations, session exports.</summary>
internal interface IQueuedWork
{
    /// <summary>The ids queued to run, in order.</summary>
    ChannelReader<long> Queue { get; }

    /// <summary>Settles what the last run of the process left running (a crash or a stop mid-work).</summary>
    Task RecoverAsync(CancellationToken cancellationToken);

    /// <summary>Runs one queued id; its outcome is recorded in its row.</summary>
    Task RunAsync(long id, CancellationToken cancellationToken);
}
