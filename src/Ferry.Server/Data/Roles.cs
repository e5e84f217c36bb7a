namespace Ferry.Server.Data;

/// <summary>The roles a user may have.</summary>
internal static class Roles
{
    /// <summary>Manages the company's users, projects and cycles; uploads.</summary>
    public const string Admin = "admin";

    /// <summary>Creates sessions and uploads.</summary>
    public const string User = "user";

    /// <summary>Reads only.</summary>
    public const string Viewer = "viewer";

    public static bool IsKnown(string? role) => role is Admin or User or Viewer;
}
