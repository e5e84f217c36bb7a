using Ferry.Cli;
using Ferry.Cli.Native;

var root = FerryRootCommand.Create();
foreach (var name in ServerOnlyCommand.Names)
{
    root.Subcommands.Add(ServerOnlyCommand.Create(name));
}

return await CommandRunner.RunAsync(root, args);
