using System.Diagnostics;
using Ferry.Testing;

namespace Ferry.Server.Tests.Replicas;

/// <summary>The built ferry CLI (ferry.dll) as a process with a controlled environment: its own home, S3 keys of s3rver, no ambient AWS settings.</summary>
public sealed class FerryCommand(string home)
{
    private readonly Dictionary<string, string?> _environment = new()
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
    };

    public string? this[string name]
    {
        set => _environment[name] = value;
    }

    public ProcessStartInfo StartInfo(params string[] args)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false };
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

        return info;
    }
}
