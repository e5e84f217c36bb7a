namespace Ferry.Client.Contracts;

/// <summary>The body of <c>POST /api/jobs</c>.</summary>
public sealed record CreateJobRequest(long? ProjectId, long? CycleId, string? LocalDirectory, string? Label, bool? SkipDuplicates = null);

/// <summary>A job as the API shows it.</summary>
public sealed record JobResponse(long Id, long ProjectId, long CycleId, long SessionId, string LocalDirectory, string Status, string? Worker, DateTimeOffset? HeartbeatAt,
    int Attempts, bool CancelRequested, string? Message, DateTimeOffset CreatedAt, DateTimeOffset? StartedAt, DateTimeOffset? FinishedAt, bool SkipDuplicates = false);

/// <summary>The body of <c>POST /api/companies/{id}/roots</c>.</summary>
public sealed record AddRootRequest(string? Path);

/// <summary>A company's server folder as the API shows it.</summary>
public sealed record RootResponse(string Path, DateTimeOffset CreatedAt);
