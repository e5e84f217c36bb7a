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
}
