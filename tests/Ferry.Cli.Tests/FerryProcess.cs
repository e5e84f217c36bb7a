using System.Diagnostics;
using Ferry.Testing;

namespace Ferry.Cli.Tests;

/// <summary>Runs the built ferry CLI as a separate process with a controlled environment (no ambient AWS settings).</summary>
internal sealed class FerryProcess
{
    private readonly Dictionary<string, string?> _environment;

    public FerryProcess(string home)
    {
        _environment = new Dictionary<string, string?>
        {
            ["HOME"] = home,
            ["FERRY_HOME"] = Path.Combine(home, "ferry"),
            ["AWS_ACCESS_KEY_ID"] = S3rverServer.AccessKey,
            ["AWS_SECRET_ACCESS_KEY"] = S3rverServer.SecretKey,
            ["AWS_REGION"] = "us-east-1",
            ["AWS_PROFILE"] = null,
            ["AWS_DEFAULT_REGION"] = null,
            ["AWS_SESSION_TOKEN"] = null,
            ["AWS_ENDPOINT_URL"] = null,
            ["AWS_ENDPOINT_URL_S3"] = null,
            ["AWS_CONFIG_FILE"] = Path.Combine(home, "no-aws-config"),
            ["AWS_SHARED_CREDENTIALS_FILE"] = Path.Combine(home, "no-aws-credentials"),
            // Ferry now asks instance metadata last, as the AWS SDKs do; tests never reach 169.254.169.254.
            ["AWS_EC2_METADATA_DISABLED"] = "true",
            ["AWS_WEB_IDENTITY_TOKEN_FILE"] = null,
            ["AWS_ROLE_ARN"] = null,
            ["AWS_CONTAINER_CREDENTIALS_FULL_URI"] = null,
            ["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"] = null,
            ["AWS_EC2_METADATA_SERVICE_ENDPOINT"] = null,
            ["AWS_ENDPOINT_URL_STS"] = null,
        };
    }

    public string? this[string name]
    {
        set => _environment[name] = value;
    }

    public Process Start(params string[] args)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(RepositoryPaths.FerryDll);
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        foreach (var (name, value) in _environment)
        {
            if (value is null)
            {
                info.Environment.Remove(name);
            }
            else
            {
                info.Environment[name] = value;
            }
        }

        return Process.Start(info)!;
    }

    public async Task<FerryResult> RunAsync(params string[] args)
    {
        using var process = Start(args);
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"ferry {string.Join(' ', args)} did not finish within 3 minutes (a hang)");
        }

        return new FerryResult(process.ExitCode, await stdout, await stderr);
    }
}

internal sealed record FerryResult(int ExitCode, string Stdout, string Stderr)
{
    public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Stdout}\n--- stderr\n{Stderr}";
}
