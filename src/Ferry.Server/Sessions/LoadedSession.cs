namespace Ferry.Server.Sessions;

/// <summary>A session with the project and cycle it uploads into.</summary>
internal sealed record LoadedSession(UploadSession Session, Project Project, Cycle Cycle);
