using System.CommandLine;
using Ferry.Cli.Configuration;
using Ferry.Cli.Output;
using Ferry.Core.Checks;

namespace Ferry.Cli.Commands;

/// <summary><c>ferry check SOURCE</c>: checks field data before it is uploaded (damaged media, capture clocks, serials, sidecar checksums) and reports per sensor folder.</summary>
internal sealed class CheckCommand
{
    public const string HelpText = """
        Exit codes:
          0    no problems found
          1    problems found (each listed as PATH: kind: message)
          2    usage problem (bad option, missing or unreadable folder)
          130  interrupted
        """;

    private readonly Argument<string> _source = new("source") { Description = "Folder to check (an SD card or its offload)" };
    private readonly Option<string?> _window = new("--window") { Description = "Deployment window FROM..TO (2026-05-01..2026-06-15, or with times 2026-05-01T06:00); captures outside it are problems" };
    private readonly Option<string?> _gap = new("--gap") { Description = "Report pauses between captures in a folder longer than this (default 24h; e.g. 90m, 6h, 2d)" };
    private readonly Option<int[]> _defaultYears = new("--clock-default-year") { Description = "A year your cameras fall back to when their clock resets (repeatable); years before 2010 always count" };
    private readonly Option<bool> _writeSums = new("--write-sums") { Description = "Write SHA256SUMS in every folder that has none (reads every file whole), so the card can be verified again later" };
    private readonly Option<int?> _concurrency = new("--concurrency", "-j") { Description = "Files inspected at once (default 8; 1-256)" };
    private readonly Option<bool> _followSymlinks = new("--follow-symlinks") { Description = "Follow symbolic links (with loop detection) instead of skipping them" };
    private readonly Option<bool> _json = new("--json") { Description = "Print one JSON object (schema v1, see docs/cli.md) instead of the table" };
    private readonly FilterOptions _filter = new("check");

    public Command Build()
    {
        var command = new Command("check", "Check field data: truncated or damaged JPEG/WAV/MP4/MOV/AVI, empty and all-zero files, capture times (window, future, reset clocks), serials per folder, sidecar checksums; counts and gaps per sensor folder. Reads headers and last bytes only.\n\n" + HelpText).With(_source);
        _filter.AddTo(command);
        foreach (var option in new Option[] { _window, _gap, _defaultYears, _writeSums, _concurrency, _followSymlinks, _json })
        {
            command.Options.Add(option);
        }

        command.SetAction((parse, cancellationToken) => RunAsync(parse, cancellationToken));
        return command;
    }

    private async Task<int> RunAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        var source = SourceFolder.Check(parse.GetValue(_source)!);
        var options = new CheckOptions
        {
            Concurrency = parse.GetValue(_concurrency) ?? new CheckOptions().Concurrency,
            Filter = _filter.Read(parse),
            FollowSymlinks = parse.GetValue(_followSymlinks),
            Window = ReadWindow(parse.GetValue(_window)),
            Gap = parse.GetValue(_gap) is { } gap ? Duration.Parse(gap, "--gap") : new CheckOptions().Gap,
            CameraDefaultYears = (parse.GetValue(_defaultYears) ?? []).ToHashSet(),
            WriteSums = parse.GetValue(_writeSums),
        };
        try
        {
            options.Validate();
        }
        catch (ArgumentException ex)
        {
            throw CliException.Usage(ex.Message);
        }

        var report = await new CheckRunner(TimeProvider.System).RunAsync(source, options, cancellationToken);
        if (parse.GetValue(_json))
        {
            await using var stdout = Console.OpenStandardOutput();
            CheckReportPrinter.PrintJson(report, source, options.Gap, stdout);
        }
        else
        {
            CheckReportPrinter.PrintText(report, source, options.Gap, Console.Out);
        }

        return report.IsClean ? ExitCodes.Success : ExitCodes.SomeFailed;
    }

    private static CaptureWindow? ReadWindow(string? text)
    {
        try
        {
            return text is null ? null : CaptureWindow.Parse(text);
        }
        catch (FormatException ex)
        {
            throw CliException.Usage($"--window: {ex.Message}");
        }
    }
}
