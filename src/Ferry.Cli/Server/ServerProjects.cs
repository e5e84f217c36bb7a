using System.Globalization;
using Ferry.Client;
using Ferry.Client.Contracts;

namespace Ferry.Cli.Server;

/// <summary>Finds a project (by name, else id) and one of its cycles (by name) on a Ferry server, for the commands that take --project and --cycle.</summary>
internal static class ServerProjects
{
    /// <summary>The project and cycle; a usage error naming the known ones when either is missing.</summary>
    public static async Task<(ProjectResponse Project, CycleResponse Cycle)> FindAsync(FerryApiClient api, string project, string cycle, CancellationToken cancellationToken)
    {
        var projects = await api.ProjectsAsync(cancellationToken);
        var chosen = projects.FirstOrDefault(p => p.Name == project) ?? projects.FirstOrDefault(p => p.Id.ToString(CultureInfo.InvariantCulture) == project)
            ?? throw CliException.Usage($"the server has no project '{project}' in your company; known: {Names(projects.Select(p => p.Name))}");
        var cycles = await api.CyclesAsync(chosen.Id, cancellationToken);
        var chosenCycle = cycles.FirstOrDefault(c => c.Name == cycle)
            ?? throw CliException.Usage($"project '{chosen.Name}' has no cycle '{cycle}'; known: {Names(cycles.Select(c => c.Name))} (an admin adds cycles)");
        return (chosen, chosenCycle);
    }

    private static string Names(IEnumerable<string> names)
    {
        var list = names.ToList();
        return list.Count == 0 ? "none" : string.Join(", ", list.Take(10)) + (list.Count > 10 ? ", …" : "");
    }
}
