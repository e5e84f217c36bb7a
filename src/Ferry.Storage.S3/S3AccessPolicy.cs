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

    /// <summary>
    /// A donation bucket: <c>ferry donate --to</c>, <c>ferry donors erase</c> and a Ferry server's
    /// <c>Ferry:DonationDestination</c> — write bundles (single and multipart), read and rewrite exports, and erase on a
    /// versioned bucket: list and delete every version and delete marker (<c>ListObjectVersions</c>,
    /// <c>DeleteObject</c> with <c>versionId</c>), list the donor's unfinished multipart uploads and abort them.
    /// </summary>
    Donation,
}

/// <summary>
/// Builds the IAM policy (JSON, version 2012-10-17) that lets one role of Ferry do its work in one bucket, optionally
/// under one key prefix, and nothing else. The actions are the ones Ferry's S3 requests need, found by recording the
/// requests each role makes (tests/Ferry.Cli.Tests, S3PolicyCommandTests); <c>s3:AbortMultipartUpload</c> is granted
/// to writers although a successful run never sends it: it is how a failed or interrupted multipart upload is cleaned up.
/// The donation role adds what erasure needs on a versioned bucket (docs/donations.md, "Versioned buckets").
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
            S3PolicyRole.Donation => ["s3:PutObject", "s3:GetObject", "s3:DeleteObject", "s3:DeleteObjectVersion", "s3:ListMultipartUploadParts", "s3:AbortMultipartUpload"],
            _ => ["s3:PutObject", "s3:GetObject", "s3:ListMultipartUploadParts", "s3:AbortMultipartUpload"],
        };

        var list = new JsonObject
        {
            ["Sid"] = "FerryList",
            ["Effect"] = "Allow",
            ["Action"] = role == S3PolicyRole.Donation ? new JsonArray("s3:ListBucket", "s3:ListBucketVersions") : new JsonArray("s3:ListBucket"),
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

        var statements = new JsonArray(
            list,
            new JsonObject
            {
                ["Sid"] = role switch { S3PolicyRole.Uploader => "FerryUpload", S3PolicyRole.Reader => "FerryRead", S3PolicyRole.Donation => "FerryDonation", _ => "FerryServer" },
                ["Effect"] = "Allow",
                ["Action"] = new JsonArray(objectActions.Select(a => (JsonNode)a).ToArray()),
                ["Resource"] = objects,
            });
        if (role == S3PolicyRole.Donation)
        {
            // An erasure lists the donor's unfinished multipart uploads (ListMultipartUploads with the donor's prefix).
            // IAM has no s3:prefix condition key for this action, so it cannot be limited to the prefix: it shows the
            // keys and upload ids of unfinished uploads in the bucket, never their data (keep donations in their own bucket).
            statements.Add((JsonNode)new JsonObject // as JsonNode: JsonArray.Add<T> is not AOT-safe, Add(JsonNode) is
            {
                ["Sid"] = "FerryDonationUploads",
                ["Effect"] = "Allow",
                ["Action"] = new JsonArray("s3:ListBucketMultipartUploads"),
                ["Resource"] = new JsonArray($"arn:aws:s3:::{bucket}"),
            });
        }

        var document = new JsonObject
        {
            ["Version"] = "2012-10-17",
            ["Statement"] = statements,
        };
        return document.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
    }

    private static string Normalize(string prefix)
    {
        var trimmed = prefix.Trim().Trim('/');
        return trimmed.Length == 0 ? "" : trimmed + "/";
    }
}
