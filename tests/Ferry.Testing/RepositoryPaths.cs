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

    /// <summary>s3rver's entry script, installed by scripts/test.sh (npm ci in tools/s3rver); FERRY_S3RVER_JS overrides.</summary>
    public static string S3rverScript
    {
        get
        {
            var fromEnvironment = Environment.GetEnvironmentVariable("FERRY_S3RVER_JS");
            var path = string.IsNullOrEmpty(fromEnvironment)
                ? Path.Combine(Root, "tools", "s3rver", "node_modules", "s3rver", "bin", "s3rver.js")
                : fromEnvironment;
            return File.Exists(path) ? path : throw new InvalidOperationException($"s3rver is not installed at {path}; run scripts/test.sh (or npm ci in tools/s3rver)");
        }
    }

    /// <summary>The built ferry CLI (ferry.dll), next to the test assembly.</summary>
    public static string FerryDll => Path.Combine(AppContext.BaseDirectory, "ferry.dll");
}
