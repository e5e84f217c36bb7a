using Microsoft.Playwright;

/// <summary>
/// A detailed Chromium trace of part of a run (timeline, GC, IPC and mojo categories: what the main thread does in its
/// long tasks, native work included), written to a file in Chromium's trace event format, which chrome://tracing and
/// Perfetto open. A JavaScript profile of a whole 100,000-file upload cannot show this (and is too large to take).
/// </summary>
internal static class DetailedTrace
{
    private static readonly string[] Categories = "devtools.timeline,v8,v8.gc,blink,toplevel,ipc,mojom,disabled-by-default-devtools.timeline,disabled-by-default-v8.gc".Split(',');

    /// <summary>Waits <paramref name="after"/>, then traces for <paramref name="length"/> into <paramref name="path"/>.</summary>
    public static async Task WriteAsync(ICDPSession cdp, string path, TimeSpan after, TimeSpan length)
    {
        await Task.Delay(after);
        var events = new List<string>();
        var complete = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        cdp.Event("Tracing.dataCollected").OnEvent += (_, e) =>
        {
            lock (events)
            {
                events.AddRange(e!.Value.GetProperty("value").EnumerateArray().Select(v => v.GetRawText()));
            }
        };
        cdp.Event("Tracing.tracingComplete").OnEvent += (_, _) => complete.TrySetResult();
        await cdp.SendAsync("Tracing.start", new Dictionary<string, object>
        {
            ["transferMode"] = "ReportEvents",
            ["traceConfig"] = new Dictionary<string, object> { ["includedCategories"] = Categories },
        });
        await Task.Delay(length);
        await cdp.SendAsync("Tracing.end");
        await complete.Task.WaitAsync(TimeSpan.FromMinutes(20));
        lock (events)
        {
            File.WriteAllText(path, "{\"traceEvents\":[" + string.Join(",", events) + "]}");
        }
    }
}
