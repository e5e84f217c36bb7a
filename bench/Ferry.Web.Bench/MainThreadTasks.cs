using System.Globalization;
using System.Text.Json;
using Microsoft.Playwright;

/// <summary>
/// The page's main-thread tasks over a whole run, from a light Chromium trace (category <c>toplevel</c>: every task any
/// thread runs, with its wall and CPU time, and <c>blink.user_timing</c>: the page's <c>performance.mark</c>s). Unlike
/// the long-task API, which reports only the tasks it attributes to the page, this sees whatever the main thread ran
/// (measured: Chromium saving 100,000 chosen paths into the page's history state held it for 1.9 s and was not
/// reported as a long task). Only tasks of 50 ms or more are kept, as the events arrive.
/// </summary>
internal sealed class MainThreadTasks
{
    private const long KeptMinimumMicroseconds = 50_000;
    private const long ReportedMinimumMicroseconds = 100_000;
    private static readonly string[] Categories = ["toplevel", "blink.user_timing"];

    private readonly ICDPSession cdp;
    private readonly string mark;
    private readonly Dictionary<(long Pid, long Tid), string> threadNames = [];
    private readonly List<(long Pid, long Tid, long Start, long Duration, long? Cpu, string Source)> longTasks = [];
    private readonly TaskCompletionSource complete = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private (long Pid, long Tid, long At)? marked;

    private MainThreadTasks(ICDPSession cdp, string mark)
    {
        this.cdp = cdp;
        this.mark = mark;
    }

    /// <summary>Whether Chromium said events were lost (its trace buffer filled): then the figures miss the run's end.</summary>
    public bool DataLost { get; private set; }

    /// <summary>Starts tracing; the page's <c>performance.mark(mark)</c> says from when tasks count.</summary>
    public static async Task<MainThreadTasks> StartAsync(ICDPSession cdp, string mark)
    {
        var tasks = new MainThreadTasks(cdp, mark);
        cdp.Event("Tracing.dataCollected").OnEvent += (_, e) => tasks.KeepLongTasksAndMark(e!.Value.GetProperty("value"));
        cdp.Event("Tracing.tracingComplete").OnEvent += (_, e) =>
        {
            tasks.DataLost = e is { } done && done.TryGetProperty("dataLossOccurred", out var lost) && lost.GetBoolean();
            tasks.complete.TrySetResult();
        };
        await cdp.SendAsync("Tracing.start", new Dictionary<string, object>
        {
            ["transferMode"] = "ReportEvents",
            // The events are reported at the end, and recording stops when the buffer is full (200 MB by default: a
            // 100,000-file run filled it); 1 GB holds one.
            ["traceConfig"] = new Dictionary<string, object> { ["includedCategories"] = Categories, ["recordMode"] = "recordUntilFull", ["traceBufferSizeInKb"] = 1_000_000 },
        });
        return tasks;
    }

    /// <summary>
    /// Ends the trace and says what the marking page's main thread did after the mark: its longest task (a task that
    /// began before the mark counts from it) and each task of 100 ms or more (ms after the mark + ms, the CPU time the
    /// thread got in the whole task: less than its length when the thread was off the CPU, waiting for a core or for
    /// another thread or process, which this trace cannot tell apart; what posted it), or why it cannot say.
    /// </summary>
    public async Task<string> StopAsync()
    {
        await cdp.SendAsync("Tracing.end");
        // A 100,000-file run's trace takes minutes to come through; a run that never ends it says so.
        await complete.Task.WaitAsync(TimeSpan.FromMinutes(20));
        lock (longTasks)
        {
            var lost = DataLost ? "EVENTS LOST (the trace buffer filled): " : "";
            if (marked is not { } m)
            {
                return lost + "the page never marked the hand-over";
            }

            if (threadNames.GetValueOrDefault((m.Pid, m.Tid)) != "CrRendererMain")
            {
                return lost + "the hand-over was not marked on a renderer's main thread";
            }

            var after = longTasks
                .Where(t => t.Pid == m.Pid && t.Tid == m.Tid && t.Start + t.Duration > m.At)
                .Select(t => (From: Math.Max(t.Start, m.At), Blocked: t.Start + t.Duration - Math.Max(t.Start, m.At), t.Cpu, t.Source))
                .OrderBy(t => t.From)
                .ToList();
            if (after.Count == 0)
            {
                return lost + "no main-thread task of 50 ms or more after the hand-over";
            }

            var over = after.Where(t => t.Blocked >= ReportedMinimumMicroseconds).Select(t => string.Create(
                CultureInfo.InvariantCulture,
                $"{(t.From - m.At) / 1000.0:F0}+{t.Blocked / 1000.0:F0} (CPU {(t.Cpu is { } cpu ? (cpu / 1000.0).ToString("F0", CultureInfo.InvariantCulture) : "?")}) {t.Source}"));
            return lost + string.Create(CultureInfo.InvariantCulture, $"longest main-thread task after the hand-over, whatever ran, {after.Max(t => t.Blocked) / 1000.0:F0} ms; tasks of 100 ms or more (ms after the hand-over + ms, the CPU the thread got in the task, posted by): {string.Join(", ", over)}");
        }
    }

    private void KeepLongTasksAndMark(JsonElement events)
    {
        lock (longTasks)
        {
            foreach (var e in events.EnumerateArray())
            {
                var name = e.TryGetProperty("name", out var n) ? n.GetString() : null;
                if (name == "ThreadControllerImpl::RunTask" && e.TryGetProperty("dur", out var dur) && (long)dur.GetDouble() >= KeptMinimumMicroseconds)
                {
                    var source = e.TryGetProperty("args", out var args) && args.TryGetProperty("src_func", out var f) ? f.GetString() ?? "" : "";
                    long? cpu = e.TryGetProperty("tdur", out var tdur) ? (long)tdur.GetDouble() : null;
                    longTasks.Add((e.GetProperty("pid").GetInt64(), e.GetProperty("tid").GetInt64(), (long)e.GetProperty("ts").GetDouble(), (long)dur.GetDouble(), cpu, source));
                }
                else if (name == mark && marked is null)
                {
                    marked = (e.GetProperty("pid").GetInt64(), e.GetProperty("tid").GetInt64(), (long)e.GetProperty("ts").GetDouble());
                }
                else if (name == "thread_name")
                {
                    threadNames[(e.GetProperty("pid").GetInt64(), e.GetProperty("tid").GetInt64())] = e.GetProperty("args").GetProperty("name").GetString() ?? "";
                }
            }
        }
    }
}
