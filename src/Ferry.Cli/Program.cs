using System.CommandLine;
using Ferry.Cli;
using Ferry.Cli.Commands;

var root = new RootCommand("Ferry moves field and research data into S3-compatible storage: verified, resumable, accounted for.");
root.Subcommands.Add(new UploadCommand().Build());
root.Subcommands.Add(new DownloadCommand().Build());
root.Subcommands.Add(new CatCommand().Build());
root.Subcommands.Add(new VerifyCommand().Build());
root.Subcommands.Add(new CheckCommand().Build());
root.Subcommands.Add(new SessionsCommand().Build());
root.Subcommands.Add(new DoctorCommand(TimeProvider.System).Build());
root.Subcommands.Add(new ServeCommand().Build());
root.Subcommands.Add(new WorkerCommand().Build());
root.Subcommands.Add(new DbCommand().Build());
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

return await CommandRunner.RunAsync(root, args);
