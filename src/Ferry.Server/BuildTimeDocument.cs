using System.Reflection;

namespace Ferry.Server;

/// <summary>
/// The build writes the OpenAPI document by starting the app inside ASP.NET Core's document tool
/// (Microsoft.Extensions.ApiDescription.Server's <c>GetDocument.Insider</c>), which replaces the web server with one
/// that takes no requests but still starts hosted services. In that run there is no database and no data folder to
/// check or seed, so <see cref="FerryServer.Build"/> starts no hosted services at all.
/// </summary>
internal static class BuildTimeDocument
{
    /// <summary>True when this process is the build's OpenAPI document tool, not a server.</summary>
    public static bool IsGenerating { get; } = Assembly.GetEntryAssembly()?.GetName().Name == "GetDocument.Insider";
}
