using System.CommandLine;
using Ferry.Cli.Commands;

namespace Ferry.Cli;

/// <summary>
/// The ferry command line every build shares: the transfer, check, history, donation, export and server-client commands.
/// The full build (<c>Program.cs</c>) adds the server's own commands (<c>serve</c>, <c>worker</c>, <c>db</c>); the
/// native build (<c>src/Ferry.Cli.Native</c>) adds stand-ins for them that name the full build.
/// </summary>
internal static class FerryRootCommand
{
    public static RootCommand Create()
    {
        var root = new RootCommand("Ferry moves field and research data into S3-compatible storage: verified, resumable, accounted for.");
        root.Subcommands.Add(new UploadCommand().Build());
        root.Subcommands.Add(new DownloadCommand().Build());
        root.Subcommands.Add(new CatCommand().Build());
        root.Subcommands.Add(new VerifyCommand().Build());
        root.Subcommands.Add(new CheckCommand().Build());
        root.Subcommands.Add(new SessionsCommand().Build());
        root.Subcommands.Add(new DoctorCommand(TimeProvider.System).Build());
        root.Subcommands.Add(new LoginCommand(TimeProvider.System).Build());
        root.Subcommands.Add(new S3Command().Build());
        root.Subcommands.Add(new ExportCommand().Build());
        root.Subcommands.Add(new OutboxCommand().Build());
        root.Subcommands.Add(new DonateCommand().Build());
        root.Subcommands.Add(new DonorsCommand(TimeProvider.System).Build());
        root.Subcommands.Add(new DonationsCommand().Build());
        root.Subcommands.Add(new StorageCommand().Build());
        root.Subcommands.Add(new JobsCommand().Build());
        root.Subcommands.Add(new CamtrapDpCommand().Build());
        return root;
    }
}
