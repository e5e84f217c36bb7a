using System.Runtime.CompilerServices;

namespace Ferry.Storage.S3.Tests;

/// <summary>
/// Ferry asks EC2 instance metadata (169.254.169.254) last, as the AWS SDKs do; no test, nor any process a test starts
/// (they inherit this environment), may reach it. Tests of the instance-metadata source set their own loopback stand-in.
/// </summary>
internal static class NoInstanceMetadata
{
#pragma warning disable CA2255 // A test assembly's process-wide setting must be in place before any test runs.
    [ModuleInitializer]
    internal static void Disable() => Environment.SetEnvironmentVariable("AWS_EC2_METADATA_DISABLED", "true");
#pragma warning restore CA2255
}
