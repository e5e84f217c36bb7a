using System.Diagnostics;
using Ferry.Core.Checks;
using Ferry.Testing;

// Usage: dotnet run -c Release --project bench/Ferry.Check.Bench -- DIR [FILES=100000] [ROUNDS=3] [CONCURRENCY=8]
// Writes DIR (once; an existing DIR is reused) as 100 sensor folders of camera JPEGs with EXIF (70 %), AudioMoth
// WAVs (20 %) and MP4 clips (10 %), about 1 in 1,000 of them cut in half, then times CheckRunner over it ROUNDS times.
if (args.Length < 1)
{
    Console.Error.WriteLine("usage: Ferry.Check.Bench DIR [FILES] [ROUNDS] [CONCURRENCY]");
    return 2;
}

var root = Path.GetFullPath(args[0]);
var files = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 100_000;
var rounds = args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 3;
var concurrency = args.Length > 3 ? int.Parse(args[3], System.Globalization.CultureInfo.InvariantCulture) : 8;

if (!Directory.Exists(root))
{
    var generate = Stopwatch.StartNew();
    var start = new DateTime(2026, 5, 1, 6, 0, 0);
    var jpeg = Enumerable.Range(0, 16).Select(i => FieldMedia.Jpeg(start, "SN0", imageBytes: 3000, seed: i)).ToArray();
    for (var i = 0; i < files; i++)
    {
        var folder = Path.Combine(root, $"S{i % 100:D3}");
        Directory.CreateDirectory(folder);
        var taken = start.AddMinutes(i / 100 * 10);
        byte[] content;
        string name;
        switch (i % 10)
        {
            case < 7:
                content = FieldMedia.Jpeg(taken, $"SN{i % 100}", imageBytes: 3000, seed: i % 16);
                name = $"IMG_{i:D6}.JPG";
                break;
            case < 9:
                content = FieldMedia.Wav(audioBytes: 4000, comment: FieldMedia.AudioMothComment(taken, $"24F31903{i % 100:D8}"));
                name = $"{taken:yyyyMMdd_HHmmss}_{i:D6}.WAV";
                break;
            default:
                content = FieldMedia.Mp4(taken, mediaBytes: 4000);
                name = $"CLIP_{i:D6}.MP4";
                break;
        }

        if (i % 1001 == 1000)
        {
            content = FieldMedia.Cut(content, content.Length / 2);
        }

        File.WriteAllBytes(Path.Combine(folder, name), content);
    }

    Console.WriteLine($"generated {files} files in {root} in {generate.Elapsed.TotalSeconds:0.0} s");
}

for (var round = 1; round <= rounds; round++)
{
    var cpu = Process.GetCurrentProcess().TotalProcessorTime;
    var report = await new CheckRunner(TimeProvider.System).RunAsync(root, new CheckOptions { Concurrency = concurrency }, CancellationToken.None);
    var cpuUsed = Process.GetCurrentProcess().TotalProcessorTime - cpu;
    Console.WriteLine($"round {round}: {report.Files} files, {report.Bytes / 1048576.0:0.0} MiB, {report.Findings.Count} problems, {report.Folders.Count} folders, " +
        $"{report.Elapsed.TotalSeconds:0.00} s wall, {cpuUsed.TotalSeconds:0.00} s CPU, {report.Files / report.Elapsed.TotalSeconds:0} files/s, " +
        $"peak working set {Process.GetCurrentProcess().PeakWorkingSet64 / 1048576} MiB");
}

return 0;
