// Times JsonLinesPseudonymizer over N records in memory (no gzip, no disk), with the free-text scrubber off (what
// Ferry did before it existed) and on (the default), alternating rounds so machine load hits both alike.
// Reports wall time and this process's CPU time per run: on a shared, overloaded machine the CPU time is the fairer figure.
// Usage: dotnet run -c Release --project bench/Ferry.Privacy.Bench -- [records=400000] [rounds=1] [on|walk] [plantEvery=10]
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Ferry.Core.Privacy;

var records = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 400_000;
var rounds = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 1;
var plantEvery = args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 10;
var input = Corpus(records, plantEvery);
var key = PseudonymKey.Generate();
var off = new Pseudonymizer(PseudonymizationRules.TrainingLogs("bench") with { Scrub = new ScrubRules { Enabled = false } }, key);
var on = new Pseudonymizer(PseudonymizationRules.TrainingLogs("bench"), key);
var mode = args.Length > 2 ? args[2] : "on";
if (mode == "walk")
{
    // Every detector off but the cheapest: what walking the records and reading their strings costs by itself.
    on = new Pseudonymizer(PseudonymizationRules.TrainingLogs("bench") with
    {
        Scrub = new ScrubRules { Detectors = FreeTextScrubber.Detectors.ToDictionary(d => d, d => d == "private_key") },
    }, key);
}
Console.WriteLine($"{records:N0} records, {input.Length / 1048576.0:N1} MiB of JSON Lines, {rounds} round(s) each, alternating");
var warmUp = Corpus(Math.Min(records, 20_000), plantEvery);
Run("warm-up off", off, warmUp);
Run("warm-up on", on, warmUp);
var times = new Dictionary<string, List<double>> { ["off"] = [], ["on"] = [] };
for (var round = 0; round < rounds; round++)
{
    times["off"].Add(Run("scrubber off", off, input));
    times["on"].Add(Run("scrubber on", on, input));
}

var (medianOff, medianOn) = (Median(times["off"]), Median(times["on"]));
Console.WriteLine($"median CPU: off {medianOff:N2} s ({records / medianOff:N0} records/s), on {medianOn:N2} s ({records / medianOn:N0} records/s), on/off {medianOn / medianOff:N2}x");

static double Run(string label, Pseudonymizer pseudonymizer, byte[] input)
{
    var processor = new JsonLinesPseudonymizer(pseudonymizer);
    using var output = new MemoryStream(input.Length);
    using var self = Process.GetCurrentProcess();
    var cpu = self.TotalProcessorTime;
    var clock = Stopwatch.StartNew();
    var counts = processor.ProcessAsync(new MemoryStream(input, writable: false), output, CancellationToken.None).GetAwaiter().GetResult();
    var wall = clock.Elapsed.TotalSeconds;
    self.Refresh();
    var seconds = (self.TotalProcessorTime - cpu).TotalSeconds;
    Console.WriteLine($"{label,-14} CPU {seconds,7:N2} s  wall {wall,7:N2} s  {counts.Records:N0} records  {processor.Scrubbed.Total:N0} hits");
    return seconds;
}

static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);

// Training-log records: the fields of tests/Ferry.Testing/TrainingLogs.cs, a 250-character prompt and a nested
// step list; one record in ten (or in plantEvery; 0: none) plants an e-mail address, a home path and an IP address in the prompt.
static byte[] Corpus(int count, int plantEvery)
{
    var text = new StringBuilder(count * 520);
    const string words = "the agent reads the task description, plans three steps, runs the unit tests and writes a short summary of what changed in version 1.2.3 ";
    var filler = (words + words)[..250];
    for (var i = 0; i < count; i++)
    {
        var prompt = plantEvery > 0 && i % plantEvery == 0
            ? $"user{i}@example.org asked from 198.51.100.{i % 250} to fix /home/user{i % 97}/repo/src/app.py; " + filler[..170]
            : filler;
        text.Append(CultureInfo.InvariantCulture, $$"""{"user_id":"user-{{i % 5000}}","email":"user{{i}}@example.org","ip":"203.0.113.7","hostname":"laptop-{{i % 300}}","region":"eu-west-3","timestamp":"2026-11-21T17:45:12Z","step":{{i}},"reward":0.5,"prompt":"{{prompt}}","steps":[{"tool":"bash","exit":0,"took_ms":{{i % 1000}}},{"tool":"edit","file":"src/app.py"}]}""").Append('\n');
    }

    return Encoding.UTF8.GetBytes(text.ToString());
}
