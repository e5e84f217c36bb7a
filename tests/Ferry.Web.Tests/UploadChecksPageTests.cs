using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Ferry.Testing;
using Microsoft.Playwright;

namespace Ferry.Web.Tests;

/// <summary>
/// The upload page's checks (in a Web Worker) before "Start upload", and duplicates by content found with the hashes
/// the page computes with Web Crypto; the session page shows both afterwards. Headless Chromium, 'ferry serve', s3rver.
/// </summary>
public sealed class UploadChecksPageTests(WebFixture web) : IClassFixture<WebFixture>, IDisposable
{
    private readonly TempDirectory _local = new("web-checks");

    public void Dispose() => _local.Dispose();

    [Fact]
    public async Task UploadPage_ShowsChecksBeforeStart_AndTheSessionPageAfter()
    {
        var bucket = await web.BucketAsync();
        var (project, projectId) = await ProjectAsync(bucket);
        var good = Jpeg(3000, 1, complete: true);
        var cut = Jpeg(3000, 2, complete: false);
        var wav = Wav(8000, 3);
        var card = Write("SD_CARD", new() { ["SN1/good.jpg"] = good, ["SN1/cut.jpg"] = cut, ["SN2/a.WAV"] = wav });
        var page = await web.SignedInPageAsync("admin", WebFixture.AdminPassword);

        // First cycle: the checks are on the page before anything starts.
        await page.GotoAsync(web.Url + "/upload");
        await ChooseAsync(page, project, bucket, "C1", card);
        var checks = page.Locator("#checks");
        await checks.GetByText("SN1/cut.jpg: JPEG without its end-of-image marker (truncated)").WaitForAsync();
        Assert.Equal("2", await checks.Locator("tbody tr").Filter(new() { HasText = "SN1" }).Locator("td").Nth(1).InnerTextAsync());
        Assert.Empty(await web.S3.ListKeysAsync(bucket)); // nothing sent before Start
        await UploadUntilAsync(page, "Upload complete", 120_000);

        Assert.Equal(["C1/SN1/cut.jpg", "C1/SN1/good.jpg", "C1/SN2/a.WAV"], (await web.S3.ListKeysAsync(bucket)).Order(StringComparer.Ordinal));

        // The session page shows what the checks found.
        using var api = await web.AdminApiAsync();
        var first = (await api.GetFromJsonAsync<JsonArray>($"/api/sessions?project_id={projectId}"))!.Last()!["id"]!.GetValue<long>();
        await page.GotoAsync($"{web.Url}/sessions/{first}");
        await page.Locator("#checks").GetByText("SN1/cut.jpg: JPEG without its end-of-image marker (truncated)").WaitForAsync();
    }

    [Fact]
    public async Task UploadPage_SkipDuplicates_LeavesOutACardCopiedIntoTheNextCycle()
    {
        var bucket = await web.BucketAsync();
        var (project, projectId) = await ProjectAsync(bucket);
        var good = Jpeg(3000, 11, complete: true);
        var wav = Wav(8000, 12);
        var card = Write("CARD", new() { ["SN1/good.jpg"] = good, ["SN2/a.WAV"] = wav });
        var copy = Write("CARD_AGAIN", new() { ["SN1-copy/good.jpg"] = good, ["SN2-copy/a.WAV"] = wav, ["SN2-copy/new.WAV"] = Wav(5000, 13) });
        var page = await web.SignedInPageAsync("admin", WebFixture.AdminPassword);
        var problems = PageProblems.Watch(page);

        // First cycle, hashed (the box ticked): the files join the project's content index as they are verified.
        await CheckWithDuplicatesSkippedAsync(page, project, bucket, "C1", card);
        await UploadUntilAsync(page, "Upload complete", 120_000);

        // Next cycle: the same card copied again under renamed folders, with duplicates skipped.
        await CheckWithDuplicatesSkippedAsync(page, project, bucket, "C2", copy);
        await UploadUntilAsync(page, "2 duplicate(s) not uploaded", 120_000);

        var listed = page.Locator("#duplicates");
        await listed.GetByText("SN1-copy/good.jpg = C1/SN1/good.jpg").WaitForAsync();
        await listed.GetByText("SN2-copy/a.WAV = C1/SN2/a.WAV").WaitForAsync();
        Assert.Equal("1", await page.Locator("#checks tbody tr").Filter(new() { HasText = "SN1-copy" }).Locator("td").Nth(5).InnerTextAsync());
        await web.ScreenshotAsync(page, "upload-duplicates");
        // The copies were not sent: S3 holds the first card and the one new file only.
        Assert.Equal(["C1/SN1/good.jpg", "C1/SN2/a.WAV", "C2/SN2-copy/new.WAV"], (await web.S3.ListKeysAsync(bucket)).Order(StringComparer.Ordinal));

        // The session page lists each duplicate with the key it duplicates.
        using var api = await web.AdminApiAsync();
        var sessions = (await api.GetFromJsonAsync<JsonArray>($"/api/sessions?project_id={projectId}"))!;
        var second = sessions.Select(s => s!["id"]!.GetValue<long>()).Max();
        await page.GotoAsync($"{web.Url}/sessions/{second}");
        var table = page.Locator("#duplicates");
        await table.GetByRole(AriaRole.Row).Filter(new() { HasText = "SN1-copy/good.jpg" }).GetByText("C1/SN1/good.jpg").WaitForAsync();
        await table.GetByRole(AriaRole.Row).Filter(new() { HasText = "SN2-copy/a.WAV" }).GetByText("not uploaded").WaitForAsync();
        await web.ScreenshotAsync(page, "session-duplicates");
        Assert.True(problems.NotRetried.Count == 0, "the page met problems it does not retry:\n" + string.Join('\n', problems.All));
    }

    [Fact]
    public async Task UploadPage_ReadsExifCaptureTimes_AndTheCamtrapDpButtonExportsThem()
    {
        var bucket = await web.BucketAsync();
        var (project, projectId) = await ProjectAsync(bucket);
        var card = Write("TRAP", new()
        {
            ["SN1/IMG_0001.JPG"] = ExifJpeg("2024:05:01 12:34:56", "+02:00", "H500XX01", 21),
            ["SN1/IMG_0002.JPG"] = ExifJpeg("2024:05:03 08:00:00", offset: null, "H500XX01", 22),
            ["SN2/plain.jpg"] = Jpeg(3000, 23, complete: true),
        });
        var page = await web.SignedInPageAsync("admin", WebFixture.AdminPassword);

        // The checks show the EXIF capture span, and the files' times (labelled so) where a folder has no capture time.
        await page.GotoAsync(web.Url + "/upload");
        await ChooseAsync(page, project, bucket, "C1", card);
        await page.GetByText("Checked:").WaitForAsync(new() { Timeout = 60_000 });
        var rows = page.Locator("#checks tbody tr");
        Assert.Equal("2024-05-01 12:34 – 2024-05-03 08:00 (capture, camera clock)", await rows.Filter(new() { HasText = "SN1" }).Locator("td").Nth(3).InnerTextAsync());
        Assert.EndsWith("UTC (file times)", await rows.Filter(new() { HasText = "SN2" }).Locator("td").Nth(3).InnerTextAsync(), StringComparison.Ordinal);
        await UploadUntilAsync(page, "Upload complete", 120_000);

        using var api = await web.AdminApiAsync();
        var session = (await api.GetFromJsonAsync<JsonArray>($"/api/sessions?project_id={projectId}"))!.Single()!["id"]!.GetValue<long>();
        await page.GotoAsync($"{web.Url}/sessions/{session}");
        await page.Locator("#checks").GetByText("2024-05-01 12:34 – 2024-05-03 08:00 (capture, camera clock)").WaitForAsync();

        // The project page's button downloads the Camtrap DP package, with the capture times the browser registered.
        await page.GotoAsync($"{web.Url}/projects/{projectId}");
        var download = await page.RunAndWaitForDownloadAsync(
            () => page.GetByRole(AriaRole.Button, new() { Name = "Download Camtrap DP package" }).ClickAsync(),
            new() { Timeout = 60_000 });
        var saved = _local.Combine("camtrap.zip");
        await download.SaveAsAsync(saved);
        using var zip = System.IO.Compression.ZipFile.OpenRead(saved);
        Assert.Equal(["datapackage.json", "deployments.csv", "media.csv", "observations.csv"], zip.Entries.Select(e => e.FullName).Order(StringComparer.Ordinal));
        using var reader = new StreamReader(zip.GetEntry("media.csv")!.Open());
        var media = (await reader.ReadToEndAsync()).Split('\n');
        Assert.Contains(media, line => line.Contains("IMG_0001.JPG", StringComparison.Ordinal) && line.Contains("2024-05-01T12:34:56+02:00", StringComparison.Ordinal));
        Assert.Contains(media, line => line.Contains("IMG_0002.JPG", StringComparison.Ordinal) && line.Contains("2024-05-03T08:00:00+00:00", StringComparison.Ordinal));
    }

    [Fact]
    public async Task UploadPage_FolderOfMoreFilesThanOneChunk_ChecksCountEveryFileAndFindTheDuplicateInALaterChunk()
    {
        // The page hands files to the checks worker in chunks of 2,000 and gets hashes back in chunks of 1,000 (so a
        // 100,000-file folder never blocks the page): 2,101 files span every chunk boundary, and each file must still
        // be counted once and hashed for the duplicate look-up wherever it falls.
        var bucket = await web.BucketAsync();
        var (project, _) = await ProjectAsync(bucket);
        var good = Jpeg(3000, 21, complete: true);
        var card = Write("FIRST", new() { ["SN1/good.jpg"] = good });
        var many = new Dictionary<string, byte[]>();
        for (var i = 0; i < 2100; i++)
        {
            many[$"{(i < 1050 ? "SENSOR_A" : "SENSOR_B")}/{i:D4}.bin"] = TestData.Bytes(64, 1000 + i);
        }

        many["SENSOR_B/zz-copy.jpg"] = good;
        var big = Write("MANY", many);
        var page = await web.SignedInPageAsync("admin", WebFixture.AdminPassword);
        var problems = PageProblems.Watch(page);

        await CheckWithDuplicatesSkippedAsync(page, project, bucket, "C1", card);
        await UploadUntilAsync(page, "Upload complete", 120_000);

        await CheckWithDuplicatesSkippedAsync(page, project, bucket, "C2", big);
        var checks = page.Locator("#checks tbody tr");
        Assert.Matches(@"^1\D?050$", await checks.Filter(new() { HasText = "SENSOR_A" }).Locator("td").Nth(1).InnerTextAsync());
        Assert.Matches(@"^1\D?051$", await checks.Filter(new() { HasText = "SENSOR_B" }).Locator("td").Nth(1).InnerTextAsync());
        await UploadUntilAsync(page, "1 duplicate(s) not uploaded", 300_000);

        await page.Locator("#duplicates").GetByText("SENSOR_B/zz-copy.jpg = C1/SN1/good.jpg").WaitForAsync();
        var keys = await web.S3.ListKeysAsync(bucket);
        Assert.Equal(2101, keys.Count); // the first card's file and the 2,100 new ones; the copy was not sent
        Assert.DoesNotContain("C2/SENSOR_B/zz-copy.jpg", keys);
        Assert.True(problems.NotRetried.Count == 0, "the page met problems it does not retry:\n" + string.Join('\n', problems.All));
    }

    [Fact]
    public async Task UploadPage_ChecksReadFilesInGroups_EachFileJudgedByItsOwnHeadAndTail()
    {
        // One group read (under 64 files) holds heads and tails of every shape: an empty file, a tail inside the head
        // (the small JPEG), a tail read apart (JPEGs over the 128 KiB read for EXIF, 6 KiB files, the WAV, whose header
        // is checked): a file judged by a neighbour's bytes would gain or lose a warning.
        var bucket = await web.BucketAsync();
        var (project, _) = await ProjectAsync(bucket);
        var card = Write("SHAPES", new()
        {
            ["SN1/a-empty.jpg"] = [],
            ["SN1/b-small.jpg"] = Jpeg(3000, 41, complete: true),
            ["SN1/c-big.jpg"] = Jpeg(200 * 1024, 42, complete: true),
            ["SN1/d-big-cut.jpg"] = Jpeg(200 * 1024, 43, complete: false),
            ["SN1/e-big.jpg"] = Jpeg(150 * 1024, 44, complete: true),
            ["SN2/a-zeros.bin"] = new byte[6 * 1024],
            ["SN2/b.WAV"] = Wav(8000, 45),
            ["SN2/c-noise.bin"] = TestData.Bytes(6 * 1024, 46),
        });
        var page = await web.SignedInPageAsync("admin", WebFixture.AdminPassword);

        await page.GotoAsync(web.Url + "/upload");
        await ChooseAsync(page, project, bucket, "C1", card);

        await page.GetByText("Checked: 3 warning(s)").WaitForAsync(new() { Timeout = 60_000 });
        var rows = page.Locator("#checks tbody tr");
        var sn1 = await rows.Filter(new() { HasText = "SN1" }).Locator("td").Nth(4).InnerTextAsync();
        var sn2 = await rows.Filter(new() { HasText = "SN2" }).Locator("td").Nth(4).InnerTextAsync();
        Assert.Equal(["2", "SN1/a-empty.jpg: empty file (zero bytes)", "SN1/d-big-cut.jpg: JPEG without its end-of-image marker (truncated)"], CountAndExamples(sn1));
        Assert.Equal(["1", "SN2/a-zeros.bin: all zeros where it was read (a card erased or cut mid-copy?)"], CountAndExamples(sn2));

        // The warnings cell: the count, then its examples (in the order the browser listed the files), sorted here.
        static string[] CountAndExamples(string cell)
        {
            var lines = cell.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            return [lines[0], .. lines[1..].Order(StringComparer.Ordinal)];
        }
    }

    [Fact]
    public async Task UploadPage_ChecksReadFilesInGroups_AFileGoneBeforeItsChecks_FailsOnlyThatFile()
    {
        // The checks read the ends of up to 64 files in one Blob read; a file that cannot be read (gone since it was
        // chosen) fails that read, and then each file of the group is read alone: only the gone file is reported, and
        // the others' checks (a head, a tail within it, a tail read apart) stand.
        var bucket = await web.BucketAsync();
        var (project, _) = await ProjectAsync(bucket);
        var card = Write("GONE", new()
        {
            ["SN1/a-good.jpg"] = Jpeg(3000, 31, complete: true),
            ["SN1/b-gone.jpg"] = Jpeg(3000, 32, complete: true),
            ["SN1/c-cut.jpg"] = Jpeg(3000, 33, complete: false),
            ["SN2/a.WAV"] = Wav(8000, 34),
            ["SN2/b.WAV"] = Wav(9000, 35),
        });
        var page = await web.SignedInPageAsync("admin", WebFixture.AdminPassword);
        // The checks' worker script is held until the file is gone: the page has read every file's size by then.
        var requested = new TaskCompletionSource();
        var release = new TaskCompletionSource();
        await page.RouteAsync("**/app/checks.worker.js", async route =>
        {
            requested.TrySetResult();
            await release.Task;
            await route.ContinueAsync();
        });
        await page.GotoAsync(web.Url + "/upload");
        await ChooseAsync(page, project, bucket, "C1", card);
        await requested.Task.WaitAsync(TimeSpan.FromSeconds(60));
        File.Delete(Path.Combine(card, "SN1", "b-gone.jpg"));
        release.SetResult();

        await page.GetByText("Checked: 2 warning(s)").WaitForAsync(new() { Timeout = 60_000 });
        var rows = page.Locator("#checks tbody tr");
        var sn1 = await rows.Filter(new() { HasText = "SN1" }).Locator("td").Nth(4).InnerTextAsync();
        Assert.StartsWith("2", sn1, StringComparison.Ordinal);
        Assert.Contains("SN1/b-gone.jpg: cannot be read (", sn1, StringComparison.Ordinal);
        Assert.Contains("SN1/c-cut.jpg: JPEG without its end-of-image marker (truncated)", sn1, StringComparison.Ordinal);
        Assert.Equal("0", await rows.Filter(new() { HasText = "SN2" }).Locator("td").Nth(4).InnerTextAsync());
    }

    /// <summary>Opens the upload page with "Skip duplicates" ticked, chooses the folder and waits for its checks.</summary>
    private async Task CheckWithDuplicatesSkippedAsync(IPage page, string project, string bucket, string cycle, string folder)
    {
        await page.GotoAsync(web.Url + "/upload");
        await page.GetByLabel("Skip duplicates").CheckAsync();
        await ChooseAsync(page, project, bucket, cycle, folder);
        await page.GetByText("Checked:").WaitForAsync(new() { Timeout = 120_000 });
    }

    /// <summary>Starts the upload, waits for <paramref name="outcome"/> in the page and closes the dialog it shows.</summary>
    private static async Task UploadUntilAsync(IPage page, string outcome, int timeoutMs)
    {
        await page.GetByRole(AriaRole.Button, new() { Name = "Start upload" }).ClickAsync();
        await page.GetByText(outcome).WaitForAsync(new() { Timeout = timeoutMs });
        await page.GetByRole(AriaRole.Dialog).GetByRole(AriaRole.Button, new() { Name = "Cancel" }).ClickAsync();
    }

    private static async Task ChooseAsync(IPage page, string project, string bucket, string cycle, string folder)
    {
        await page.GetByLabel("Project").SelectOptionAsync(new SelectOptionValue { Label = $"{project} (s3://{bucket})" });
        await page.GetByLabel("Cycle").SelectOptionAsync(new SelectOptionValue { Label = cycle });
        await page.GetByLabel("Folder").SetInputFilesAsync(folder);
        await page.WaitForFunctionAsync("() => !document.querySelector('#start').disabled", null, new() { Timeout = 60_000 });
    }

    private async Task<(string Name, long Id)> ProjectAsync(string bucket)
    {
        using var api = await web.AdminApiAsync();
        var name = "Lynx " + Guid.NewGuid().ToString("N")[..6];
        await FerryServerClient.GrantBucketAsync(api, web.S3.Endpoint, bucket);
        var created = await api.PostAsJsonAsync("/api/projects", new { name, bucket_name = bucket, region = "us-east-1", endpoint_url = web.S3.Endpoint });
        created.EnsureSuccessStatusCode();
        var id = (await created.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<long>();
        foreach (var cycle in new[] { "C1", "C2" })
        {
            (await api.PostAsJsonAsync($"/api/projects/{id}/cycles", new { name = cycle, s3_prefix = cycle })).EnsureSuccessStatusCode();
        }

        return (name, id);
    }

    private string Write(string folder, Dictionary<string, byte[]> files)
    {
        foreach (var (path, bytes) in files)
        {
            _local.Write(folder + "/" + path, bytes);
        }

        return _local.Combine(folder);
    }

    /// <summary>Bytes that start like a JPEG (SOI) and, when complete, end with its end-of-image marker.</summary>
    private static byte[] Jpeg(int length, int seed, bool complete)
    {
        var bytes = TestData.Bytes(length, seed);
        (bytes[0], bytes[1]) = (0xFF, 0xD8);
        (bytes[^2], bytes[^1]) = complete ? ((byte)0xFF, (byte)0xD9) : ((byte)0x12, (byte)0x34);
        return bytes;
    }

    /// <summary>
    /// A complete JPEG whose APP1 segment holds EXIF as cameras write it (little-endian TIFF): IFD0 with Make, Model and
    /// the Exif IFD pointer; the Exif IFD with DateTimeOriginal, OffsetTimeOriginal (when given) and BodySerialNumber.
    /// </summary>
    private static byte[] ExifJpeg(string dateTimeOriginal, string? offset, string serial, int seed)
    {
        static byte[] Ascii(string value) => System.Text.Encoding.ASCII.GetBytes(value + "\0");
        var ifd0 = new List<(ushort Tag, byte[] Value)> { (0x010F, Ascii("RECONYX")), (0x0110, Ascii("HF2 PRO COVERT")) };
        var exif = new List<(ushort Tag, byte[] Value)> { (0x9003, Ascii(dateTimeOriginal)) };
        if (offset is not null)
        {
            exif.Add((0x9011, Ascii(offset)));
        }

        exif.Add((0xA431, Ascii(serial)));
        var tiff = new List<byte>("II*\0"u8.ToArray());
        tiff.AddRange(BitConverter.GetBytes(8u));
        var ifd0Length = IfdLength(ifd0.Count + 1, ifd0);
        tiff.AddRange(Ifd(ifd0, 8, extraPointer: (0x8769, (uint)(8 + ifd0Length))));
        tiff.AddRange(Ifd(exif, 8 + ifd0Length, extraPointer: null));
        var app1 = new List<byte>("Exif\0\0"u8.ToArray());
        app1.AddRange(tiff);
        var bytes = new List<byte> { 0xFF, 0xD8, 0xFF, 0xE1, (byte)((app1.Count + 2) >> 8), (byte)((app1.Count + 2) & 0xFF) };
        bytes.AddRange(app1);
        bytes.AddRange([0xFF, 0xDA]);
        bytes.AddRange(TestData.Bytes(3000, seed));
        bytes.AddRange([0xFF, 0xD9]);
        return [.. bytes];

        static int IfdLength(int entries, List<(ushort Tag, byte[] Value)> values) =>
            2 + (12 * entries) + 4 + values.Where(v => v.Value.Length > 4).Sum(v => v.Value.Length + (v.Value.Length % 2));

        // One IFD at offset 'start' of the TIFF block: ASCII entries (values longer than 4 bytes after the entries), an
        // optional LONG pointer entry, no next IFD.
        static List<byte> Ifd(List<(ushort Tag, byte[] Value)> values, int start, (ushort Tag, uint Value)? extraPointer)
        {
            var count = values.Count + (extraPointer is null ? 0 : 1);
            var data = new List<byte>();
            var dataStart = start + 2 + (12 * count) + 4;
            var ifd = new List<byte>(BitConverter.GetBytes((ushort)count));
            foreach (var (tag, value) in values)
            {
                ifd.AddRange(BitConverter.GetBytes(tag));
                ifd.AddRange(BitConverter.GetBytes((ushort)2));
                ifd.AddRange(BitConverter.GetBytes((uint)value.Length));
                if (value.Length <= 4)
                {
                    ifd.AddRange(value.Concat(new byte[4 - value.Length]));
                }
                else
                {
                    ifd.AddRange(BitConverter.GetBytes((uint)(dataStart + data.Count)));
                    data.AddRange(value);
                    if (value.Length % 2 == 1)
                    {
                        data.Add(0);
                    }
                }
            }

            if (extraPointer is { } pointer)
            {
                ifd.AddRange(BitConverter.GetBytes(pointer.Tag));
                ifd.AddRange(BitConverter.GetBytes((ushort)4));
                ifd.AddRange(BitConverter.GetBytes(1u));
                ifd.AddRange(BitConverter.GetBytes(pointer.Value));
            }

            ifd.AddRange(BitConverter.GetBytes(0u));
            ifd.AddRange(data);
            return ifd;
        }
    }

    /// <summary>A RIFF/WAVE header whose size matches the length, then noise.</summary>
    private static byte[] Wav(int length, int seed)
    {
        var bytes = TestData.Bytes(length, seed);
        "RIFF"u8.CopyTo(bytes);
        BitConverter.TryWriteBytes(bytes.AsSpan(4), (uint)(length - 8));
        "WAVE"u8.CopyTo(bytes.AsSpan(8));
        return bytes;
    }
}
