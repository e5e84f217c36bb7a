using System.Diagnostics;

namespace Ferry.Testing;

/// <summary>
/// The built ferry CLI (ferry.dll, or the native build for the commands it has) as a separate process with a controlled environment: its own home and FERRY_HOME,
/// s3rver's keys, no ambient AWS settings. The one launcher of the CLI, server and replica tests.
/// </summary>
public sealed class FerryProcess
{
    private readonly Dictionary<string, string?> _environment;
    private readonly bool _nativeBuild;

    /// <param name="home">The process's home folder (HOME, and FERRY_HOME under it).</param>
    /// <param name="nativeBuild">
    /// Run the native build for every command, the server's included: the published binary FERRY_TEST_NATIVE_CLI names,
    /// or else the native project's own build (<see cref="RepositoryPaths.NativeFerryDll"/>).
    /// </param>
    public FerryProcess(string home, bool nativeBuild = false)
    {
        _nativeBuild = nativeBuild;
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
            ["AWS_CA_BUNDLE"] = null,
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

    /// <summary>Sets (or, with null, removes) one environment variable of the processes started from here on.</summary>
    public string? this[string name]
    {
        set => _environment[name] = value;
    }

    /// <summary>Starts <c>ferry ARGS</c> with standard input, output and error redirected; the caller reads or drains them.</summary>
    public Process Start(params string[] args) => Process.Start(StartInfo(args))!;

    /// <summary>How <see cref="Start"/> starts <c>ferry ARGS</c>, for callers that start it themselves.</summary>
    public ProcessStartInfo StartInfo(params string[] args)
    {
        var program = Program(args);
        return ProgramStartInfo(program[0], [.. program[1..], .. args]);
    }

    /// <summary>
    /// The program (and its first arguments) that runs <c>ferry ARGS</c>: the full build (<c>dotnet ferry.dll</c>), or,
    /// when <see cref="RepositoryPaths.NativeFerry"/> names the native build, that one for every command but the server's
    /// own (<c>serve</c>, <c>worker</c>, <c>db</c>), which a deployment runs with the full build too.
    /// </summary>
    private string[] Program(string[] args)
    {
        if (_nativeBuild)
        {
            return RepositoryPaths.NativeFerry is { } published ? [published] : ["dotnet", RepositoryPaths.NativeFerryDll];
        }

        return RepositoryPaths.NativeFerry is { } native && !(args.Length > 0 && args[0] is "serve" or "worker" or "db")
            ? [native]
            : ["dotnet", RepositoryPaths.FerryDll];
    }

    private Process StartProgram(string program, string[] args) => Process.Start(ProgramStartInfo(program, args))!;

    private ProcessStartInfo ProgramStartInfo(string program, string[] args)
    {
        var info = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
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

        return info;
    }

    /// <summary>Runs <c>ferry ARGS</c> to its end (standard input closed) and returns its exit code and output; a hang fails after 3 minutes.</summary>
    public Task<FerryResult> RunAsync(params string[] args) => RunAsync(Start(args), input: null, args);

    /// <summary>
    /// Runs ferry with a real terminal as its standard input (a pseudo-terminal from util-linux <c>script</c>), typing
    /// <paramref name="input"/> into it: what a person at a terminal does.
    /// </summary>
    public Task<FerryResult> RunInTerminalAsync(string input, params string[] args)
    {
        static string Quote(string arg) => "'" + arg.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
        var command = string.Join(' ', Program(args).Concat(args).Select(Quote));
        return RunAsync(StartProgram("/usr/bin/script", ["-q", "-e", "-c", command, "/dev/null"]), input, args);
    }

    private async Task<FerryResult> RunAsync(Process started, string? input, string[] args)
    {
        using var process = started;
        if (input is not null)
        {
            await process.StandardInput.WriteAsync(input);
            await process.StandardInput.FlushAsync();
        }

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
