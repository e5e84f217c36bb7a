namespace Ferry.Core.Bundles;

/// <summary>
/// Where a bundle goes, with what it takes to reach it again later from the outbox. Never holds secrets:
/// credentials come from the environment (or the server's configuration) when the bundle is delivered.
/// </summary>
/// <param name="Location">The base: <c>s3://BUCKET/BASE</c> or a local directory; the bundle becomes a folder under it.</param>
/// <param name="Endpoint">The S3 endpoint URL, when not AWS.</param>
/// <param name="Region">The S3 region, when given.</param>
/// <param name="Profile">The AWS profile, when given.</param>
/// <param name="Owner">Who queued it, for the front door that delivers it (the server writes <c>project:ID</c>); free text.</param>
public sealed record BundleDestination(string Location, string? Endpoint = null, string? Region = null, string? Profile = null, string? Owner = null);
