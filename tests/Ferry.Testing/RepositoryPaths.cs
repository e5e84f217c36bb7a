namespace Ferry.Testing;

/// <summary>Finds files of this repository from a test's output folder.</summary>
public static class RepositoryPaths
{
    public static string Root
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "Ferry.slnx")))
                {
                    return dir.FullName;
                }
            }

            throw new InvalidOperationException("cannot find Ferry.slnx above " + AppContext.BaseDirectory);
        }
    }

    /// <summary>
    /// s3rver's entry script: tools/s3rver/durable-s3rver.js, s3rver (installed by scripts/test.sh, npm ci in tools/s3rver)
    /// answering a PUT only once its bytes are on disk, as S3 does; FERRY_S3RVER_JS overrides.
    /// </summary>
    public static string S3rverScript
    {
        get
        {
            var fromEnvironment = Environment.GetEnvironmentVariable("FERRY_S3RVER_JS");
            if (!string.IsNullOrEmpty(fromEnvironment))
            {
                return File.Exists(fromEnvironment) ? fromEnvironment : throw new InvalidOperationException($"FERRY_S3RVER_JS names {fromEnvironment}, which does not exist");
            }

            var tools = Path.Combine(Root, "tools", "s3rver");
            var package = Path.Combine(tools, "node_modules", "s3rver", "bin", "s3rver.js");
            return File.Exists(package)
                ? Path.Combine(tools, "durable-s3rver.js")
                : throw new InvalidOperationException($"s3rver is not installed at {package}; run scripts/test.sh (or npm ci in tools/s3rver)");
        }
    }

    /// <summary>The built ferry CLI (ferry.dll), next to the test assembly.</summary>
    public static string FerryDll => Path.Combine(AppContext.BaseDirectory, "ferry.dll");

    /// <summary>
    /// The native project (src/Ferry.Cli.Native) as <c>dotnet build</c> leaves it, compiled just in time: the same code
    /// as its published native binary, in the configuration (Release, Debug) the tests were built in.
    /// </summary>
    public static string NativeFerryDll =>
        Path.Combine(Root, "src", "Ferry.Cli.Native", "bin", new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name, new DirectoryInfo(AppContext.BaseDirectory).Name, "ferry.dll");

    /// <summary>
    /// The native build of ferry (src/Ferry.Cli.Native) the CLI tests run instead of ferry.dll, when FERRY_TEST_NATIVE_CLI
    /// names it (scripts/test.sh runs the CLI tests once with each build); null otherwise.
    /// </summary>
    public static string? NativeFerry
    {
        get
        {
            var path = Environment.GetEnvironmentVariable("FERRY_TEST_NATIVE_CLI");
            if (string.IsNullOrEmpty(path))
            {
                return null;
            }

            return File.Exists(path) ? Path.GetFullPath(path) : throw new InvalidOperationException($"FERRY_TEST_NATIVE_CLI names {path}, which does not exist");
        }
    }
}
