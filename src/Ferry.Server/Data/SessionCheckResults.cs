namespace Ferry.Server.Data;

/// <summary>
/// A session's check results (what the client's checks found before the upload), kept apart from
/// <see cref="UploadSession"/> so that listing sessions never reads them: at most
/// <see cref="Checks.SessionCheckStore.MaximumBytes"/> of JSON, with what was left out to fit. A company's through its session.
/// </summary>
internal sealed class SessionCheckResults
{
    public long SessionId { get; set; }

    /// <summary>A JSON list of <c>SensorFolderCheck</c> (<see cref="Checks.SessionCheckJson"/>).</summary>
    public required string Results { get; set; }

    /// <summary>Sensor folders left out (from the end of the list) to keep <see cref="Results"/> within the cap.</summary>
    public int OmittedFolders { get; set; }

    /// <summary>Warning examples left out (each folder keeps its warning count) to keep <see cref="Results"/> within the cap.</summary>
    public int OmittedExamples { get; set; }
}
