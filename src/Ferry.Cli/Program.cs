using Ferry.Cli;
using Ferry.Cli.Commands;

var root = FerryRootCommand.Create();
root.Subcommands.Add(new ServeCommand().Build());
root.Subcommands.Add(new WorkerCommand().Build());
root.Subcommands.Add(new DbCommand().Build());

return await CommandRunner.RunAsync(root, args);
