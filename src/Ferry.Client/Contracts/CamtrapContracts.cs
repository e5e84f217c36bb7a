namespace Ferry.Client.Contracts;

/// <summary>
/// The request for a Camtrap DP package: cycle_id (null: every cycle), locations_csv (deploymentID or folder, latitude,
/// longitude, …), presign_hours (0: plain S3 URLs; 1–168: presigned GET URLs, living no longer than the operator's ceiling and the caller's sign-in), utc_offset (+HH:MM for cameras whose files
/// do not say theirs).
/// </summary>
public sealed record CamtrapExportRequest(long? CycleId = null, string? LocationsCsv = null, int? PresignHours = null, string? UtcOffset = null);
