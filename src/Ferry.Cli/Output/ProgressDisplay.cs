using System.Diagnostics;
using Ferry.Core.Transfer;
using Spectre.Console;

namespace Ferry.Cli.Output;

/// <summary>
/// Samples <see cref="TransferProgress"/> while a run goes on and shows it: a live Spectre.Console
/// panel on a terminal, a plain line every 5 seconds (and at least every 10,000 files) otherwise,
/// or NDJSON progress events every 2 seconds with --json. It only reads the counters.
/// </summary>
internal sealed class ProgressDisplay
{
    private readonly TransferProgress _progress;
    private readonly ProgressMode _mode;
    private readonly JsonEventWriter? _json;
    private readonly TextWriter _log;

    public ProgressDisplay(TransferProgress progress, ProgressMode mode, JsonEventWriter? json, TextWriter log)
    {
        _progress = progress;
        _mode = mode;
        _json = json;
        _log = log;
    }

    /// <summary>Picks live display on an interactive terminal, plain lines otherwise (NDJSON when asked).</summary>
    public static ProgressMode ChooseMode(bool json, bool quiet)
    {
        if (json)
        {
            return ProgressMode.Json;
        }

        if (quiet)
        {
            return ProgressMode.None;
        }

        return !Console.IsErrorRedirected && !Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive
            ? ProgressMode.Live
            : ProgressMode.Plain;
    }

    /// <summary>Shows progress until <paramref name="work"/> completes, then returns its result.</summary>
    public async Task<T> RunAsync<T>(Task<T> work)
    {
        var clock = Stopwatch.StartNew();
        switch (_mode)
        {
            case ProgressMode.Live:
                await AnsiConsole.Live(new Markup("starting…")).AutoClear(false).StartAsync(async context =>
                {
                    while (!work.IsCompleted)
                    {
                        context.UpdateTarget(Render(_progress.Snapshot(), clock.Elapsed));
                        await Task.WhenAny(work, Task.Delay(250));
                    }

                    context.UpdateTarget(Render(_progress.Snapshot(), clock.Elapsed));
                });
                break;
            case ProgressMode.Plain:
                var lastLine = TimeSpan.Zero;
                long lastFiles = 0;
                while (!work.IsCompleted)
                {
                    await Task.WhenAny(work, Task.Delay(250));
                    var snapshot = _progress.Snapshot();
                    if (!work.IsCompleted && (clock.Elapsed - lastLine >= TimeSpan.FromSeconds(5) || snapshot.FilesDone - lastFiles >= 10_000))
                    {
                        await _log.WriteLineAsync("ferry: " + ProgressText.Line(snapshot, clock.Elapsed));
                        lastLine = clock.Elapsed;
                        lastFiles = snapshot.FilesDone;
                    }
                }

                break;
            case ProgressMode.Json:
                while (!work.IsCompleted)
                {
                    await Task.WhenAny(work, Task.Delay(2000));
                    if (!work.IsCompleted)
                    {
                        _json!.WriteProgress(_progress.Snapshot(), clock.Elapsed);
                    }
                }

                break;
        }

        return await work;
    }

    private static Spectre.Console.Rendering.IRenderable Render(TransferSnapshot s, TimeSpan elapsed)
    {
        var fraction = s.BytesFound == 0 ? (s.FilesFound == 0 ? 0 : (double)s.FilesDone / s.FilesFound) : (double)s.BytesDone / s.BytesFound;
        var bar = new BreakdownChart().Width(50).HideTags()
            .AddItem("done", Math.Max(0.0001, fraction * 100), Color.Green)
            .AddItem("left", Math.Max(0.0001, (1 - fraction) * 100), Color.Grey23);
        var text = new Markup(Markup.Escape(ProgressText.Line(s, elapsed)));
        return new Rows(bar, text);
    }
}
