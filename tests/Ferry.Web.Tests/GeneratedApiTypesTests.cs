using System.Diagnostics;
using System.Text.Json.Nodes;
using Ferry.Testing;

namespace Ferry.Web.Tests;

/// <summary>
/// The browser code's API types come from the server's OpenAPI document, which the build writes
/// (obj/openapi/Ferry.Server.json) and openapi-typescript turns into ClientApp/src/generated/api-types.ts before tsc
/// checks the browser code. These tests run those two steps on a copy of the browser code: once on the document the
/// build wrote, once on that document with one response field renamed, as a server change would rename it.
/// </summary>
public sealed class GeneratedApiTypesTests : IDisposable
{
    private static readonly string ServerProject = Path.Combine(RepositoryPaths.Root, "src", "Ferry.Server");
    private static readonly string ClientApp = Path.Combine(ServerProject, "ClientApp");
    private readonly TempDirectory _work = new("web-types");

    [Fact]
    public async Task Check_DocumentTheBuildWrote_Passes()
    {
        var result = await CheckAgainstAsync(Document());

        Assert.True(result.Exit == 0, "the browser code does not type-check against the server's OpenAPI document:\n" + result.Output);
    }

    [Fact]
    public async Task Check_ResponseFieldRenamedOnServer_FailsWhereTheBrowserUsesIt()
    {
        var document = Document();
        var multipart = document["components"]!["schemas"]!["MultipartResponse"]!.AsObject();
        var properties = multipart["properties"]!.AsObject();
        var uploadId = properties["upload_id"]!.DeepClone();
        properties.Remove("upload_id");
        properties["multipart_id"] = uploadId;
        var required = multipart["required"]!.AsArray();
        required.Remove(required.First(name => name!.GetValue<string>() == "upload_id"));
        required.Add("multipart_id");

        var result = await CheckAgainstAsync(document);

        Assert.NotEqual(0, result.Exit);
        Assert.Contains("upload.ts", result.Output, StringComparison.Ordinal);
        Assert.Contains("'upload_id'", result.Output, StringComparison.Ordinal);
    }

    private static JsonObject Document()
    {
        var path = Path.Combine(ServerProject, "obj", "openapi", "Ferry.Server.json");
        Assert.True(File.Exists(path), $"the build did not write the OpenAPI document {path}");
        return JsonNode.Parse(File.ReadAllText(path))!.AsObject();
    }

    /// <summary>Copies the browser code, generates its API types from <paramref name="document"/> and runs tsc, as the build does.</summary>
    private async Task<(int Exit, string Output)> CheckAgainstAsync(JsonObject document)
    {
        var app = _work.Combine("ClientApp");
        CopyDirectory(Path.Combine(ClientApp, "src"), Path.Combine(app, "src"), skip: "generated");
        File.Copy(Path.Combine(ClientApp, "tsconfig.json"), Path.Combine(app, "tsconfig.json"));
        var documentPath = _work.Combine("openapi.json");
        await File.WriteAllTextAsync(documentPath, document.ToJsonString());
        var modules = Path.Combine(ClientApp, "node_modules");
        var generate = await NodeAsync(app, Path.Combine(modules, "openapi-typescript", "bin", "cli.js"), documentPath, "-o", Path.Combine(app, "src", "generated", "api-types.ts"), "--output-format", "ts");
        if (generate.Exit != 0)
        {
            return generate;
        }

        // tsc resolves no packages from the copy (the browser code imports none; "types": [] in tsconfig.json).
        return await NodeAsync(app, Path.Combine(modules, "typescript", "bin", "tsc"), "--noEmit", "-p", app);
    }

    private static async Task<(int Exit, string Output)> NodeAsync(string directory, string script, params string[] args)
    {
        var info = new ProcessStartInfo("node") { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(script);
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout + await stderr);
    }

    private static void CopyDirectory(string from, string to, string skip)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.GetFiles(from))
        {
            File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
        }

        foreach (var directory in Directory.GetDirectories(from).Where(d => Path.GetFileName(d) != skip))
        {
            CopyDirectory(directory, Path.Combine(to, Path.GetFileName(directory)), skip);
        }
    }

    public void Dispose() => _work.Dispose();
}
