using System.Text;
using Ferry.Testing;

namespace Ferry.Cli.Tests.Commands;

/// <summary>'ferry donate' and 'ferry donors' end to end against s3rver: the bundle, the archive, every failure path, erasure.</summary>
public sealed class DonateCommandTests(S3rverFixture s3rver) : IClassFixture<S3rverFixture>, IDisposable
{
    private readonly TempDirectory _home = new("cli-donate");

    public void Dispose() => _home.Dispose();

    private S3rverServer Server => s3rver.Server;

    private string KeyFile => _home.Combine("study.key");

    [Fact]
    public async Task Donate_Folder_PseudonymizedBundleUploadedOriginalsArchivedPseudonymShown()
    {
        var bucket = await Server.CreateBucketAsync("donate");
        var folder = Trajectories("t1", ("run 1.jsonl.gz", TrainingLogs.Of("alice", 3, broken: true)), ("sub/run2.jsonl.gz", TrainingLogs.Of("alice", 2)));
        var ferry = await FerryWithKeyAsync();

        var result = await ferry.RunAsync("donate", folder, "--to", $"s3://{bucket}/study", "--endpoint", Server.Endpoint, "--key-file", KeyFile, "--consent", "2026-11", "--donor", "alice@example.org");

        Assert.True(result.ExitCode == 0, result.ToString());
        var pseudonym = (await ferry.RunAsync("donors", "pseudonym", "alice@example.org", "--key-file", KeyFile)).Stdout.Trim();
        Assert.Contains(pseudonym, result.Stdout, StringComparison.Ordinal);
        Assert.Contains("1 malformed line(s) were left out", result.Stdout, StringComparison.Ordinal);
        var key = Assert.Single(await Server.ListKeysAsync(bucket));
        Assert.Matches($"^study/donations/{pseudonym}/\\d{{8}}_\\d{{6}}_[0-9a-f]{{8}}\\.zip$", key);
        var bundle = TrainingLogs.Unzip((await Server.GetObjectAsync(bucket, key))!);
        Assert.Equal(["consent.json", "manifest.json", "part-0001.jsonl.gz", "part-0002.jsonl.gz"], bundle.Keys.Order(StringComparer.Ordinal));
        var everything = string.Concat(bundle.Values);
        foreach (var secret in new[] { "alice", "example.org", "run 1", "run2", "eu-west-3" })
        {
            Assert.DoesNotContain(secret, everything, StringComparison.Ordinal);
        }

        Assert.Contains("\"decision\":\"granted\"", bundle["consent.json"], StringComparison.Ordinal);
        Assert.Equal(["archive/run 1.jsonl.gz", "archive/sub/run2.jsonl.gz"], Files(folder));
    }

    [Fact]
    public async Task Donate_Json_OneObjectWithDonorAndCounts()
    {
        var bucket = await Server.CreateBucketAsync("donate-json");
        var folder = Trajectories("tj", ("run.jsonl.gz", TrainingLogs.Of("frank", 3, broken: true)));
        var ferry = await FerryWithKeyAsync();

        var result = await ferry.RunAsync("donate", folder, "--to", $"s3://{bucket}/study", "--endpoint", Server.Endpoint, "--key-file", KeyFile, "--consent", "2026-11", "--donor", "frank@example.org", "--json");

        Assert.True(result.ExitCode == 0, result.ToString());
        var answer = System.Text.Json.JsonDocument.Parse(result.Stdout).RootElement;
        var pseudonym = (await ferry.RunAsync("donors", "pseudonym", "frank@example.org", "--key-file", KeyFile)).Stdout.Trim();
        Assert.True(answer.GetProperty("success").GetBoolean());
        Assert.Equal(pseudonym, answer.GetProperty("donor").GetString());
        Assert.Equal(1, answer.GetProperty("files").GetInt32());
        Assert.Equal(3, answer.GetProperty("records").GetInt64());
        Assert.Equal(1, answer.GetProperty("malformed").GetInt64());
        Assert.StartsWith($"s3://{bucket}/study/donations/{pseudonym}/", answer.GetProperty("location").GetString());
    }

    [Theory]
    [InlineData("no-credentials", "credentials")]
    [InlineData("placeholder-credentials", "placeholder")]
    [InlineData("folder-missing", "does not exist")]
    [InlineData("no-files", "no files matching")]
    [InlineData("endpoint-unreachable", "cannot connect")]
    [InlineData("unknown-bucket", "does not exist")]
    [InlineData("no-consent", "no consent")]
    [InlineData("old-consent", "not the current policy version")]
    [InlineData("no-key", "no pseudonymization key")]
    public async Task Donate_SetupProblem_Exit2OneLineOriginalsUntouched(string problem, string expected)
    {
        var bucket = await Server.CreateBucketAsync("fail");
        var folder = problem == "no-files" ? Trajectories("t2", ("notes.txt", Encoding.UTF8.GetBytes("x"))) : Trajectories("t2", ("run.jsonl.gz", TrainingLogs.Of("bob", 2)));
        var ferry = await FerryWithKeyAsync();
        var to = problem == "unknown-bucket" ? "s3://no-such-bucket-ferry/study" : $"s3://{bucket}/study";
        var endpoint = problem == "endpoint-unreachable" ? $"http://127.0.0.1:{FreePort.Next()}" : Server.Endpoint;
        if (problem == "no-credentials")
        {
            ferry["AWS_ACCESS_KEY_ID"] = null;
            ferry["AWS_SECRET_ACCESS_KEY"] = null;
        }
        else if (problem == "placeholder-credentials")
        {
            ferry["AWS_ACCESS_KEY_ID"] = "AKIAIOSFODNN7EXAMPLE";
            ferry["AWS_SECRET_ACCESS_KEY"] = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
        }

        var args = new List<string> { "donate", problem == "folder-missing" ? _home.Combine("nowhere") : folder, "--to", to, "--endpoint", endpoint };
        if (problem != "no-key")
        {
            args.AddRange(["--key-file", KeyFile]);
        }

        if (problem != "no-consent")
        {
            args.AddRange(["--consent", problem == "old-consent" ? "2020-01" : "2026-11"]);
        }

        var before = Files(folder);
        var result = await ferry.RunAsync([.. args]);

        Assert.True(result.ExitCode == 2, result.ToString());
        var line = Assert.Single(result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("ferry: error: ", line, StringComparison.Ordinal);
        Assert.Contains(expected, line, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(before, Files(folder));
        Assert.Empty(await Server.ListKeysAsync(bucket));
    }

    [Fact]
    public async Task Donate_UploadFails_Exit1AndOriginalsStayWhereTheyWere()
    {
        var bucket = await Server.CreateBucketAsync("upfail");
        var folder = Trajectories("t3", ("run.jsonl.gz", TrainingLogs.Of("carol", 2)));
        await using var proxy = await FaultProxy.StartAsync(Server.Endpoint);
        proxy.FailNext("PutObject", int.MaxValue);
        var ferry = await FerryWithKeyAsync();

        var result = await ferry.RunAsync("donate", folder, "--to", $"s3://{bucket}/study", "--endpoint", proxy.Endpoint, "--key-file", KeyFile, "--consent", "2026-11", "--donor", "carol");

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Contains("left where they were", result.Stderr, StringComparison.Ordinal);
        Assert.Equal(["run.jsonl.gz"], Files(folder));
    }

    [Fact]
    public async Task DonorsErase_AfterTwoDonations_NothingOfTheDonorLeftAndOtherDonorsKept()
    {
        var bucket = await Server.CreateBucketAsync("erase");
        var ferry = await FerryWithKeyAsync();
        var common = new[] { "--to", $"s3://{bucket}/study", "--endpoint", Server.Endpoint, "--key-file", KeyFile, "--consent", "2026-11" };
        var dave = Trajectories("dave", ("a.jsonl.gz", TrainingLogs.Of("dave", 2)));
        Assert.Equal(0, (await ferry.RunAsync(["donate", dave, "--donor", "dave", .. common])).ExitCode);
        File.WriteAllBytes(Path.Combine(dave, "b.jsonl.gz"), TrainingLogs.Of("dave", 1));
        Assert.Equal(0, (await ferry.RunAsync(["donate", dave, "--donor", "dave", .. common])).ExitCode);
        var erin = Trajectories("erin", ("a.jsonl.gz", TrainingLogs.Of("erin", 2)));
        Assert.Equal(0, (await ferry.RunAsync(["donate", erin, "--donor", "erin", .. common])).ExitCode);
        var pseudonym = (await ferry.RunAsync("donors", "pseudonym", "dave", "--key-file", KeyFile)).Stdout.Trim();
        var journal = _home.Combine("ferry", "journal.db");
        Assert.True(FileBytesHold(journal, pseudonym)); // the journal named the donor's keys

        var erased = await ferry.RunAsync("donors", "erase", pseudonym, "--to", $"s3://{bucket}/study", "--endpoint", Server.Endpoint, "--json");

        Assert.True(erased.ExitCode == 0, erased.ToString());
        var report = System.Text.Json.Nodes.JsonNode.Parse(erased.Stdout)!;
        var places = report["places"]!.AsArray().ToDictionary(p => p!["place"]!.GetValue<string>(), p => p!["removed"]!.GetValue<long>());
        Assert.Equal(["local.archive", "local.journal", "local.ledger", "local.staging", "storage.donor_objects", "storage.donor_versions", "storage.exports", "storage.multipart_uploads"], places.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(2, places["storage.donor_objects"]);
        Assert.Equal(2, places["local.archive"]);
        Assert.True(places["local.journal"] >= 4, erased.Stdout); // two sessions, their file rows and objects
        Assert.False(FileBytesHold(journal, pseudonym)); // no pseudonym of the donor in the journal's bytes (file, WAL, shared memory)
        Assert.True(FileBytesHold(journal, (await ferry.RunAsync("donors", "pseudonym", "erin", "--key-file", KeyFile)).Stdout.Trim())); // erin's rows stay
        var keys = await Server.ListKeysAsync(bucket);
        Assert.DoesNotContain(keys, k => k.Contains(pseudonym, StringComparison.Ordinal));
        Assert.Single(keys); // erin's bundle stays
        Assert.Empty(Files(dave));
        Assert.Equal(["archive/a.jsonl.gz"], Files(erin));
        var ledger = await File.ReadAllTextAsync(_home.Combine("ferry", "donations", "ledger.jsonl"));
        Assert.DoesNotContain(pseudonym, ledger, StringComparison.Ordinal);
        Assert.Contains("\"type\":\"erasure\"", ledger, StringComparison.Ordinal);
        var notPseudonym = await ferry.RunAsync("donors", "erase", "p_*", "--to", $"s3://{bucket}/study", "--endpoint", Server.Endpoint);
        Assert.Equal(2, notPseudonym.ExitCode);
        Assert.Single(await Server.ListKeysAsync(bucket));
    }

    [Fact]
    public async Task Donate_AfterWithdrawal_Exit2NothingSentUntilConsentIsRenewedAtATerminal()
    {
        var bucket = await Server.CreateBucketAsync("withdraw");
        var ferry = await FerryWithKeyAsync();
        var common = new[] { "--to", $"s3://{bucket}/study", "--endpoint", Server.Endpoint, "--key-file", KeyFile, "--consent", "2026-11", "--donor", "heidi" };
        var folder = Trajectories("heidi", ("a.jsonl.gz", TrainingLogs.Of("heidi", 2)));
        Assert.Equal(0, (await ferry.RunAsync(["donate", folder, .. common])).ExitCode);
        var pseudonym = (await ferry.RunAsync("donors", "pseudonym", "heidi", "--key-file", KeyFile)).Stdout.Trim();
        Assert.Equal(0, (await ferry.RunAsync("donors", "withdraw", pseudonym)).ExitCode);
        File.WriteAllBytes(Path.Combine(folder, "b.jsonl.gz"), TrainingLogs.Of("heidi", 1));
        var ledger = _home.Combine("ferry", "donations", "ledger.jsonl");

        var refused = await ferry.RunAsync(["donate", folder, .. common]);

        Assert.True(refused.ExitCode == 2, refused.ToString());
        var line = Assert.Single(refused.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains($"{pseudonym} withdrew consent", line, StringComparison.Ordinal);
        Assert.Contains("nothing was sent", line, StringComparison.Ordinal);
        Assert.Single(await Server.ListKeysAsync(bucket)); // only the donation from before the withdrawal
        Assert.Equal(["archive/a.jsonl.gz", "b.jsonl.gz"], Files(folder)); // the new file stays where it was
        Assert.EndsWith("\"decision\":\"withdrawn\"", JsonDecision(File.ReadLines(ledger).Last()), StringComparison.Ordinal); // no new 'granted'

        // A script cannot renew: standard input that is not a terminal is refused.
        var scripted = await ferry.RunAsync("donors", "consent", pseudonym);
        Assert.True(scripted.ExitCode == 2, scripted.ToString());
        Assert.Contains("only at a terminal", scripted.Stderr, StringComparison.Ordinal);
        var wrong = await ferry.RunInTerminalAsync("yes\n", "donors", "consent", pseudonym);
        Assert.True(wrong.ExitCode == 2, wrong.ToString());
        Assert.Equal(2, (await ferry.RunAsync(["donate", folder, .. common])).ExitCode);
        Assert.Single(await Server.ListKeysAsync(bucket));

        var renewed = await ferry.RunInTerminalAsync("2026-11\n", "donors", "consent", pseudonym);

        Assert.True(renewed.ExitCode == 0, renewed.ToString());
        Assert.Contains("Consent renewed", renewed.Stdout, StringComparison.Ordinal);
        Assert.Contains("\"decision\":\"renewed\"", File.ReadLines(ledger).Last(), StringComparison.Ordinal);
        var again = await ferry.RunAsync(["donate", folder, .. common]);
        Assert.True(again.ExitCode == 0, again.ToString());
        Assert.Equal(2, (await Server.ListKeysAsync(bucket)).Count);
    }

    private static string JsonDecision(string ledgerLine) =>
        "\"decision\":" + System.Text.Json.Nodes.JsonNode.Parse(ledgerLine)!["consent"]!["decision"]!.ToJsonString();

    private async Task<FerryProcess> FerryWithKeyAsync()
    {
        var ferry = new FerryProcess(_home.Path);
        if (!File.Exists(KeyFile))
        {
            Assert.Equal(0, (await ferry.RunAsync("donors", "new-key", KeyFile)).ExitCode);
        }

        return ferry;
    }

    private string Trajectories(string name, params (string Path, byte[] Content)[] files)
    {
        var folder = _home.Combine(name + "-" + Guid.NewGuid().ToString("N")[..6]);
        foreach (var (path, content) in files)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(folder, path))!);
            File.WriteAllBytes(Path.Combine(folder, path), content);
        }

        return folder;
    }

    [Fact]
    public async Task Donate_KilledMidDonation_StagingRemovedAtTheNextStartAndErasureLeavesNothing()
    {
        var bucket = await Server.CreateBucketAsync("crash");
        var ferry = await FerryWithKeyAsync();
        var common = new[] { "--to", $"s3://{bucket}/study", "--endpoint", Server.Endpoint, "--key-file", KeyFile, "--consent", "2026-11" };
        var big = Trajectories("ken", ("big.jsonl.gz", TrainingLogs.Of("ken", 150_000)));
        var staging = _home.Combine("ferry", "donations", "staging");
        using (var process = ferry.Start(["donate", big, "--donor", "ken", .. common]))
        {
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (!(Directory.Exists(staging) && Directory.EnumerateDirectories(staging).Any()) && !process.HasExited && DateTime.UtcNow < deadline)
            {
                await Task.Delay(10);
            }

            Assert.False(process.HasExited, "the donation ended before it could be killed");
            process.Kill(entireProcessTree: true); // a crash mid-donation
            await process.WaitForExitAsync();
        }

        Assert.Single(Directory.EnumerateDirectories(staging)); // what the crash left
        Assert.Equal(["big.jsonl.gz"], Files(big)); // the originals stay where they were

        var next = Trajectories("lena", ("a.jsonl.gz", TrainingLogs.Of("lena", 1)));
        var donated = await ferry.RunAsync(["donate", next, "--donor", "lena", .. common]);

        Assert.True(donated.ExitCode == 0, donated.ToString());
        Assert.Empty(Directory.EnumerateDirectories(staging)); // removed when the next donation started
        var ken = (await ferry.RunAsync("donors", "pseudonym", "ken", "--key-file", KeyFile)).Stdout.Trim();
        var erased = await ferry.RunAsync("donors", "erase", ken, "--to", $"s3://{bucket}/study", "--endpoint", Server.Endpoint);
        Assert.True(erased.ExitCode == 0, erased.ToString());
        Assert.Contains("local.staging", erased.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain(await Server.ListKeysAsync(bucket), k => k.Contains(ken, StringComparison.Ordinal));
        Assert.False(FileBytesHold(_home.Combine("ferry", "journal.db"), ken));
    }

    /// <summary>The bytes of a SQLite file and, if present, its write-ahead log and shared memory, searched for the text.</summary>
    private static bool FileBytesHold(string path, string text)
    {
        var needle = Encoding.UTF8.GetBytes(text);
        return new[] { path, path + "-wal", path + "-shm" }.Where(File.Exists).Any(f => File.ReadAllBytes(f).AsSpan().IndexOf(needle) >= 0);
    }

    private static List<string> Files(string folder) => Directory.Exists(folder)
        ? Directory.GetFiles(folder, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(folder, f).Replace('\\', '/')).Order(StringComparer.Ordinal).ToList()
        : [];
}
