using System.Text.Json;
using System.Text.Json.Nodes;

namespace Ferry.Storage.S3;

/// <summary>Who a least-privilege policy from <see cref="S3AccessPolicy"/> is for.</summary>
public enum S3PolicyRole
{
    /// <summary><c>ferry upload</c> with its own credentials: list under the prefix (resume, present files), write objects and multipart parts.</summary>
    Uploader,

    /// <summary><c>ferry download</c>, <c>ferry verify</c>, <c>ferry cat</c>: list and read under the prefix.</summary>
    Reader,

    /// <summary>
    /// A Ferry server's storage location: what its presigned URLs and its own calls do for upload sessions (single and
    /// multipart uploads, the check of each upload, resumed multipart uploads) and session exports (read the session's
    /// objects, write the bundle under the export prefix, presign its download).
    /// </summary>
    Server,
}

/// <summary>
/// Builds the IAM policy (JSON, version 2012-10-17) that lets one role of Ferry do its work in one bucket, optionally
/// under one key prefix, and nothing else. The actions are the ones Ferry's S3 requests need, found by recording the
/// requests each role makes (tests/Ferry.Cli.Tests, S3PolicyCommandTests); <c>s3:AbortMultipartUpload</c> is granted
/// to writers although a successful run never sends it: it is how a failed or interrupted multipart upload is cleaned up.
/// </summary>
public static class S3AccessPolicy
{
    /// <summary>The export prefix the server role writes under unless told otherwise (the server's <c>Ferry:ExportPrefix</c> default).</summary>
    public const string DefaultExportPrefix = "ferry-exports";

    /// <param name="bucket">The bucket name.</param>
    /// <param name="prefix">A key prefix such as <c>field/C2</c> (a trailing slash is added); empty for the whole bucket.</param>
    /// <param name="exportPrefix">Server role only: where session exports are written (<c>Ferry:ExportPrefix</c>).</param>
    /// <returns>The policy document, indented.</returns>
    public static string Build(string bucket, string prefix, S3PolicyRole role, string exportPrefix = DefaultExportPrefix)
    {
        var prefixes = new List<string> { Normalize(prefix) };
        if (role == S3PolicyRole.Server && prefixes[0].Length > 0)
        {
            prefixes.Add(Normalize(exportPrefix));
        }

        var objects = new JsonArray(prefixes.Select(p => (JsonNode)$"arn:aws:s3:::{bucket}/{p}*").ToArray());
        string[] objectActions = role switch
        {
            S3PolicyRole.Uploader => ["s3:PutObject", "s3:GetObject", "s3:ListMultipartUploadParts", "s3:AbortMultipartUpload"],
            S3PolicyRole.Reader => ["s3:GetObject"],
            _ => ["s3:PutObject", "s3:GetObject", "s3:ListMultipartUploadParts", "s3:AbortMultipartUpload"],
        };

        var list = new JsonObject
        {
            ["Sid"] = "FerryList",
            ["Effect"] = "Allow",
            ["Action"] = new JsonArray("s3:ListBucket"),
            ["Resource"] = new JsonArray($"arn:aws:s3:::{bucket}"),
        };
        if (prefixes[0].Length > 0)
        {
            // Listing is allowed only under the prefix (and the key itself, for a listing of exactly the prefix).
            list["Condition"] = new JsonObject
            {
                ["StringLike"] = new JsonObject { ["s3:prefix"] = new JsonArray(prefixes.Select(p => (JsonNode)(p + "*")).ToArray()) },
            };
        }

        var document = new JsonObject
        {
            ["Version"] = "2012-10-17",
            ["Statement"] = new JsonArray(
                list,
                new JsonObject
                {
                    ["Sid"] = role switch { S3PolicyRole.Uploader => "FerryUpload", S3PolicyRole.Reader => "FerryRead", _ => "FerryServer" },
                    ["Effect"] = "Allow",
                    ["Action"] = new JsonArray(objectActions.Select(a => (JsonNode)a).ToArray()),
                    ["Resource"] = objects,
                }),
        };
        return document.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
    }

    private static string Normalize(string prefix)
    {
        var trimmed = prefix.Trim().Trim('/');
        return trimmed.Length == 0 ? "" : trimmed + "/";
    }
}
