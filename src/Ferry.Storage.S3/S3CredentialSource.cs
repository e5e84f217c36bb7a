namespace Ferry.Storage.S3;

/// <summary>
/// Where a store's AWS credentials came from, for <c>ferry doctor</c> and logs. Never holds a secret.
/// </summary>
/// <param name="Source">
/// A short name of the source: "given keys", "environment (AWS_ACCESS_KEY_ID)", "profile 'NAME'" (with its kind: assume role,
/// credential_process, SSO), "web identity (role ARN)", "container credentials", "instance metadata (EC2 instance role)".
/// </param>
/// <param name="AccessKeyId">The access key id the credentials had when resolved (not secret; it names the key in IAM and CloudTrail).</param>
/// <param name="Expires">When the credentials resolved first expire; null for long-lived keys or when the source does not say.
/// Temporary credentials are refreshed by the SDK before they expire.</param>
/// <param name="Temporary">True when the credentials carry a session token.</param>
public sealed record S3CredentialSource(string Source, string AccessKeyId, DateTimeOffset? Expires, bool Temporary);
