using System.Text.RegularExpressions;

namespace Ferry.Server.Tenancy;

/// <summary>What a project request must satisfy before storage grants are looked at: name, bucket name, region, endpoint form.</summary>
internal static partial class ProjectRules
{
    /// <summary>Null when <paramref name="request"/> is well formed; else what is wrong, in words.</summary>
    internal static string? Validate(ProjectRequest request)
    {
        if (string.IsNullOrWhiteSpace(request.Name) || request.Name.Trim().Length > 200)
        {
            return "give the project a name of 1 to 200 characters";
        }

        if (request.BucketName is null || !BucketName().IsMatch(request.BucketName) || request.BucketName.Contains("..", StringComparison.Ordinal))
        {
            return "bucket_name must be a valid S3 bucket name: 3 to 63 lower-case letters, digits, dots and hyphens, starting and ending with a letter or digit";
        }

        if (request.Region is not null && !RegionName().IsMatch(request.Region))
        {
            return "region must be an AWS region name such as eu-west-1 (any name your S3-compatible server accepts, e.g. us-east-1)";
        }

        if (!string.IsNullOrEmpty(request.EndpointUrl))
        {
            try
            {
                Ferry.Storage.S3.S3StoreFactory.Validate(request.EndpointUrl);
            }
            catch (FormatException ex)
            {
                return "endpoint_url: " + ex.Message;
            }
        }

        return null;
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")]
    private static partial Regex BucketName();

    [GeneratedRegex("^[a-z0-9-]{2,40}$")]
    private static partial Regex RegionName();
}
