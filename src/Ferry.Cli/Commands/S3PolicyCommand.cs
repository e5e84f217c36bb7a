using System.CommandLine;
using System.Text.RegularExpressions;
using Ferry.Core.Storage;
using Ferry.Storage.S3;

namespace Ferry.Cli.Commands;

/// <summary>
/// <c>ferry s3 policy BUCKET [--prefix P] [--role uploader|reader|server|donation]</c>: prints the least-privilege IAM policy a
/// role of Ferry needs in the bucket (<see cref="S3AccessPolicy"/>). Calls nothing: attach the output with your IAM tool.
/// </summary>
internal sealed partial class S3PolicyCommand
{
    private readonly Argument<string> _bucket = new("bucket") { Description = "The bucket (name or s3://NAME)" };
    private readonly Option<string?> _prefix = new("--prefix") { Description = "Limit the policy to keys under this prefix, e.g. field/C2 (default: the whole bucket)" };
    private readonly Option<string> _role = new("--role") { Description = "uploader (ferry upload), reader (download, verify, cat), server (a Ferry server's storage location) or donation (ferry donate --to, ferry donors erase, a server's Ferry:DonationDestination: erasure on versioned buckets included)", DefaultValueFactory = _ => "uploader" };
    private readonly Option<string> _exportPrefix = new("--export-prefix") { Description = "Server role with --prefix: where session exports go (the server's Ferry:ExportPrefix)", DefaultValueFactory = _ => S3AccessPolicy.DefaultExportPrefix };

    public Command Build()
    {
        return new Command("policy", "Print the least-privilege IAM policy (JSON) a role of Ferry needs in BUCKET, optionally under --prefix.\n\nExit codes:\n  0  printed\n  2  bad bucket name, prefix or role").With(_bucket, _prefix, _role, _exportPrefix).Runs(parse => Run(parse));
    }

    private int Run(ParseResult parse)
    {
        var bucket = parse.GetValue(_bucket)!;
        bucket = bucket.StartsWith("s3://", StringComparison.Ordinal) ? bucket["s3://".Length..].TrimEnd('/') : bucket;
        if (!BucketName().IsMatch(bucket))
        {
            throw CliException.Usage($"'{bucket}' is not a bucket name (3 to 63 lower-case letters, digits, dots and hyphens); give the prefix with --prefix");
        }

        var role = parse.GetValue(_role) switch
        {
            "uploader" => S3PolicyRole.Uploader,
            "reader" => S3PolicyRole.Reader,
            "server" => S3PolicyRole.Server,
            "donation" => S3PolicyRole.Donation,
            var other => throw CliException.Usage($"--role '{other}' is not known; use uploader, reader, server or donation"),
        };
        var prefix = parse.GetValue(_prefix) ?? "";
        var exportPrefix = parse.GetValue(_exportPrefix)!;
        foreach (var (name, value) in new[] { ("--prefix", prefix), ("--export-prefix", exportPrefix) })
        {
            if (value.Trim('/').Length > 0 && ObjectKey.FindProblem(value.Trim('/') + "/x") is { } problem)
            {
                throw CliException.Usage($"{name} '{value}' cannot be a key prefix: {problem}");
            }
        }

        Console.Out.WriteLine(S3AccessPolicy.Build(bucket, prefix, role, exportPrefix));
        return ExitCodes.Success;
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")]
    private static partial Regex BucketName();
}
