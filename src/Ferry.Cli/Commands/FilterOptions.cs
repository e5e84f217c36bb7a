using System.CommandLine;
using Ferry.Core.Transfer;

namespace Ferry.Cli.Commands;

/// <summary>The --include/--exclude glob pair, shared by every command that walks a tree of files or keys.</summary>
internal sealed class FilterOptions(string verb)
{
    public Option<string[]> Include { get; } = new("--include") { Description = $"Only {verb} paths matching this glob (repeatable; * ** ? [set])" };

    public Option<string[]> Exclude { get; } = new("--exclude") { Description = $"Skip paths matching this glob (repeatable)" };

    public void AddTo(Command command)
    {
        command.Options.Add(Include);
        command.Options.Add(Exclude);
    }

    /// <summary>The filter the flags describe; a malformed glob is a usage error naming it.</summary>
    public PathFilter Read(ParseResult parse)
    {
        try
        {
            return new PathFilter(parse.GetValue(Include) ?? [], parse.GetValue(Exclude) ?? []);
        }
        catch (FormatException ex)
        {
            throw CliException.Usage(ex.Message + "; close the set with ']'");
        }
    }
}
