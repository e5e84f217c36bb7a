using System.Globalization;
using System.Text.Json;
using Microsoft.Playwright;

/// <summary>
/// The page's main-thread tasks of 50 ms or more over a whole run, from a light Chromium trace (category
/// <c>toplevel</c>: every task any thread runs, with its duration, and <c>blink.user_timing</c>: the page's
/// <c>performance.mark</c>s). Unlike the long-task API, which reports only the tasks it attributes to the page, this sees
/// whatever the main thread ran (measured: Chromium saving 100,000 chosen paths into the page's history state held it
/// for 1.9 s and was not reported as a long task). Only the long tasks are kept, as the events arrive.
/// </summary>
internal sealed class MainThreadTasks
{
    private const long LongMicroseconds = 50_000;
    private static readonly string[] Categories = ["toplevel", "blink.user_timing"];

    private readonly ICDPSession cdp;
    private readonly string mark;
    private readonly Dictionary<(long Pid, long Tid), string> threadNames = [];
    private readonly List<(long Pid, long Tid, long Start, long Duration, long Cpu, string Source)> longTasks = [];
    private readonly TaskCompletionSource complete = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private (long Pid, long Tid, long At)? marked;

    /// <summary>Whether Chromium said events were lost (its trace buffer filled): then the figures miss the run's end.</summary>
    public bool DataLost { get; private set; }

    private MainThreadTasks(ICDPSession cdp, string mark)
    {
        this.cdp = cdp;
        this.mark = mark;
    }

    /// <summary>Starts tracing; the page's <c>performance.mark(mark)</c> says from when tasks count.</summary>
    public static async Task<MainThreadTasks> StartAsync(ICDPSession cdp, string mark)
    {
        var tasks = new MainThreadTasks(cdp, mark);
        cdp.Event("Tracing.dataCollected").OnEvent += (_, e) => tasks.Take(e!.Value.GetProperty("value"));
        cdp.Event("Tracing.tracingComplete").OnEvent += (_, e) =>
        {
            tasks.DataLost = e is { } complete && complete.TryGetProperty("dataLossOccurred", out var lost) && lost.GetBoolean();
            tasks.complete.TrySetResult();
        };
        await cdp.SendAsync("Tracing.start", new Dictionary<string, object>
        {
            ["transferMode"] = "ReportEvents",
            // The events are reported at the end, and recording stops when the buffer is full (200 MB by default: a
            // 100,000-file run filled it); 1 GB holds one.
            ["traceConfig"] = new Dictionary<string, object> { ["includedCategories"] = Categories, ["recordMode"] = "recordUntilFull", ["traceBufferSizeInKb"] = 1_000_000 },
            ["bufferUsageReportingInterval"] = 60_000,
        });
        return tasks;
    }

    /// <summary>
    /// Ends the trace. Answers the longest time the marking page's main thread was blocked after the mark (a task that began before
    /// it counts from the mark) and its tasks of 100 ms or more after the mark (ms after the mark, ms, the thread's CPU
    /// time in it: less than the task's length when the two cores were busy with other processes, what posted it);
    /// null when the page never marked.
    /// </summary>
    public async Task<(double LongestMs, IReadOnlyList<string> Over100)?> StopAsync()
    {
        await cdp.SendAsync("Tracing.end");
        await complete.Task;
        lock (longTasks)
        {
            if (marked is not { } m)
            {
                return null;
            }

            var after = longTasks
                .Where(t => t.Pid == m.Pid && threadNames.GetValueOrDefault((t.Pid, t.Tid)) == "CrRendererMain" && t.Start + t.Duration > m.At)
                .Select(t => (From: Math.Max(t.Start, m.At), Blocked: t.Start + t.Duration - Math.Max(t.Start, m.At), t.Cpu, t.Source))
                .OrderBy(t => t.From)
                .ToList();
            var over = after.Where(t => t.Blocked >= 100_000)
                .Select(t => string.Create(CultureInfo.InvariantCulture, $"{(t.From - m.At) / 1000.0:F0}+{t.Blocked / 1000.0:F0} (CPU {t.Cpu / 1000.0:F0}) {t.Source}"))
                .ToList();
            return (after.Count == 0 ? 0 : after.Max(t => t.Blocked) / 1000.0, over);
        }
    }

    private void Take(JsonElement events)
    {
        lock (longTasks)
        {
            foreach (var e in events.EnumerateArray())
            {
                var name = e.TryGetProperty("name", out var n) ? n.GetString() : null;
                if (name == "ThreadControllerImpl::RunTask" && e.TryGetProperty("dur", out var dur) && (long)dur.GetDouble() >= LongMicroseconds)
                {
                    var source = e.TryGetProperty("args", out var args) && args.TryGetProperty("src_func", out var f) ? f.GetString() ?? "" : "";
                    var cpu = e.TryGetProperty("tdur", out var tdur) ? (long)tdur.GetDouble() : -1;
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
