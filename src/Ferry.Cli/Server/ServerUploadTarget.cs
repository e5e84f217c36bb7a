using Ferry.Client;
using Ferry.Client.Contracts;
using Ferry.Client.Sessions;
using Ferry.Core.Transfer;

namespace Ferry.Cli.Server;

/// <summary>
/// <c>ferry upload --server URL --project NAME --cycle NAME SOURCE</c>: finds the project and cycle on the server and opens
/// the upload session for SOURCE (<see cref="SessionUpload"/> in Ferry.Client: register, then the session as the store the
/// engine uploads into). Server errors while opening are usage errors (exit 2).
/// </summary>
internal static class ServerUploadTarget
{
    /// <summary>The open session over a <see cref="FerryApiClient"/>; the caller disposes it and then <see cref="SessionUpload.Api"/>.</summary>
    /// <param name="checks">The check of the source per sensor folder, stored with the session (null: none ran).</param>
    public static async Task<SessionUpload> OpenAsync(Uri server, string project, string cycle, string source, UploadOptions options, List<SensorFolderCheck>? checks, CancellationToken cancellationToken)
    {
        var api = new FerryApiClient(server, ServerTokenStore.Find(server, TimeProvider.System));
        try
        {
            var (chosen, chosenCycle) = await ServerProjects.FindAsync(api, project, cycle, cancellationToken);
            if (options.DryRun)
            {
                throw CliException.Usage("--dry-run is not available with --server (a session would be recorded); leave out --server to preview against the bucket");
            }

            return await SessionUpload.OpenAsync(api, chosen.Id, chosenCycle.Id, source, new ScanOptions
            {
                Filter = options.Filter,
                FollowSymlinks = options.FollowSymlinks,
                ExcludedPath = options.ArchiveTo,
            }, checks, cancellationToken);
        }
        catch (FerryApiException ex)
        {
            api.Dispose();
            throw CliException.Usage(ex.Message);
        }
        catch
        {
            api.Dispose();
            throw;
        }
    }
}
