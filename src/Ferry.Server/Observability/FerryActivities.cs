using System.Diagnostics;

namespace Ferry.Server.Observability;

/// <summary>
/// The server's spans (System.Diagnostics <see cref="ActivitySource"/>, exported by OpenTelemetry over OTLP when
/// configured): an upload session's registering, verifying and closing, a job's run and an export's build and delivery.
/// Each carries the ids it concerns (<see cref="SessionId"/>, <see cref="JobId"/>, <see cref="ExportId"/>) as tags, never paths or names.
/// With no listener (no exporter, no test listening), <see cref="ActivitySource.StartActivity(string, ActivityKind)"/> returns null and costs nothing.
/// </summary>
internal static class FerryActivities
{
    public const string SourceName = "Ferry.Server";

    public const string SessionId = "ferry.session.id";
    public const string JobId = "ferry.job.id";
    public const string ExportId = "ferry.export.id";
    public const string Files = "ferry.files";
    public const string Status = "ferry.status";

    public static readonly ActivitySource Source = new(SourceName);

    /// <summary>A span named <paramref name="name"/> for upload session <paramref name="sessionId"/>.</summary>
    public static Activity? StartSession(string name, long sessionId) =>
        Source.StartActivity(name)?.SetTag(SessionId, sessionId);
}
