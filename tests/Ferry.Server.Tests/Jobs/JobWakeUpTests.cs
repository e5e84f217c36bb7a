using Ferry.Server.Jobs;

namespace Ferry.Server.Tests.Jobs;

/// <summary>The in-process shortcut from queueing a job to the idle worker: a notified wait ends without its poll interval.</summary>
public sealed class JobWakeUpTests
{
    [Fact]
    public async Task WaitAsync_AfterNotify_EndsWithoutWaitingForAnHourLongPoll()
    {
        var wakeUp = new JobWakeUp();
        wakeUp.Notify();
        wakeUp.Notify(); // a second signal before the worker waits is the same wake-up

        await wakeUp.WaitAsync(TimeSpan.FromHours(1), TimeProvider.System, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(60));
    }

    [Fact]
    public async Task WaitAsync_NotifiedWhileWaiting_Ends()
    {
        var wakeUp = new JobWakeUp();
        var waiting = wakeUp.WaitAsync(TimeSpan.FromHours(1), TimeProvider.System, CancellationToken.None);

        wakeUp.Notify();

        await waiting.WaitAsync(TimeSpan.FromSeconds(60));
    }

    [Fact]
    public async Task WaitAsync_NoJobQueued_EndsAfterThePollInterval()
    {
        var wakeUp = new JobWakeUp();

        await wakeUp.WaitAsync(TimeSpan.FromMilliseconds(50), TimeProvider.System, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(60));
    }
}
