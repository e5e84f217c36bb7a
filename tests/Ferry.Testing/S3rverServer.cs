using System.Diagnostics;

namespace Ferry.Testing;

/// <summary>
/// A real s3rver process (S3 protocol over HTTP) on a free loopback port with its own empty data
/// folder; started with --openssl-legacy-provider so that paged ListObjectsV2 works on Node 17+.
/// Credentials: access key S3RVER (checked), any secret. Killed and cleaned up on dispose.
/// </summary>
public sealed class S3rverServer : IAsyncDisposable
{
    public const string AccessKey = "S3RVER";
    public const string SecretKey = "S3RVER";

    private readonly Process _process;
    private readonly TempDirectory _data;

    private S3rverServer(Process process, TempDirectory data, int port)
    {
        _process = process;
        _data = data;
        Port = port;
    }

    public int Port { get; }

    public string Endpoint => $"http://127.0.0.1:{Port}";

    public static async Task<S3rverServer> StartAsync()
    {
        var script = RepositoryPaths.S3rverScript;
        for (var attempt = 1; ; attempt++)
        {
            var data = new TempDirectory("s3rver");
            var port = FreePort.Next();
            var info = new ProcessStartInfo("node")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (var argument in new[] { "--openssl-legacy-provider", script, "-d", data.Path, "-a", "127.0.0.1", "-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--silent" })
            {
                info.ArgumentList.Add(argument);
            }

            var process = Process.Start(info)!;
            process.OutputDataReceived += (_, _) => { };
            process.ErrorDataReceived += (_, _) => { };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            var server = new S3rverServer(process, data, port);
            if (await server.WaitUntilAnsweringAsync().ConfigureAwait(false))
            {
                return server;
            }

            await server.DisposeAsync().ConfigureAwait(false);
            if (attempt == 3)
            {
                throw new InvalidOperationException("s3rver did not start on 127.0.0.1 (3 attempts)");
            }
        }
    }

    /// <summary>Creates a bucket with a unique name (so tests never share one) and returns the name.</summary>
    public async Task<string> CreateBucketAsync(string label = "t")
    {
        var name = $"{label}-{Guid.NewGuid():N}"[..Math.Min(40, label.Length + 33)].ToLowerInvariant();
        using var http = new HttpClient();
        using var response = await http.PutAsync($"{Endpoint}/{name}", null).ConfigureAwait(false);
        response.EnsureSuccessStatusCode();
        return name;
    }

    /// <summary>The object's bytes, fetched with a plain unsigned GET; null when it does not exist.</summary>
    public async Task<byte[]?> GetObjectAsync(string bucket, string key)
    {
        using var http = new HttpClient();
        var path = string.Join('/', key.Split('/').Select(Uri.EscapeDataString));
        using var response = await http.GetAsync($"{Endpoint}/{bucket}/{path}").ConfigureAwait(false);
        if (response.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            return null;
        }

        response.EnsureSuccessStatusCode();
        return await response.Content.ReadAsByteArrayAsync().ConfigureAwait(false);
    }

    /// <summary>Every key in the bucket (flat listing through the S3 protocol, unsigned).</summary>
    public async Task<List<string>> ListKeysAsync(string bucket)
    {
        using var http = new HttpClient();
        var keys = new List<string>();
        string? token = null;
        do
        {
            var url = $"{Endpoint}/{bucket}?list-type=2" + (token is null ? "" : "&continuation-token=" + Uri.EscapeDataString(token));
            var xml = System.Xml.Linq.XDocument.Parse(await http.GetStringAsync(url).ConfigureAwait(false));
            var ns = xml.Root!.Name.Namespace;
            keys.AddRange(xml.Root.Elements(ns + "Contents").Select(c => c.Element(ns + "Key")!.Value));
            token = xml.Root.Element(ns + "IsTruncated")?.Value == "true" ? xml.Root.Element(ns + "NextContinuationToken")?.Value : null;
        }
        while (token is not null);
        return keys;
    }

    public async Task DeleteObjectAsync(string bucket, string key)
    {
        using var http = new HttpClient();
        var path = string.Join('/', key.Split('/').Select(Uri.EscapeDataString));
        using var response = await http.DeleteAsync($"{Endpoint}/{bucket}/{path}").ConfigureAwait(false);
        response.EnsureSuccessStatusCode();
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync().ConfigureAwait(false);
            }
        }
        catch (InvalidOperationException)
        {
        }

        _process.Dispose();
        _data.Dispose();
    }

    private async Task<bool> WaitUntilAnsweringAsync()
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        for (var i = 0; i < 200; i++)
        {
            if (_process.HasExited)
            {
                return false;
            }

            try
            {
                using var response = await http.GetAsync(Endpoint + "/").ConfigureAwait(false);
                return true;
            }
            catch (HttpRequestException)
            {
                await Task.Delay(50).ConfigureAwait(false);
            }
            catch (TaskCanceledException)
            {
            }
        }

        return false;
    }
}
