using System.CommandLine;

namespace Ferry.Cli;

/// <summary>
/// Declares a command in one expression: <c>new Command(name, help).With(arguments and options).Runs(action)</c>, so
/// every command reads the same way and a symbol cannot be declared but left unattached.
/// </summary>
internal static class CommandDeclaration
{
    /// <summary>Attaches <paramref name="symbols"/> (arguments and options, in the order help lists them); returns the command.</summary>
    public static Command With(this Command command, params Symbol[] symbols)
    {
        foreach (var symbol in symbols)
        {
            switch (symbol)
            {
                case Argument argument:
                    command.Arguments.Add(argument);
                    break;
                case Option option:
                    command.Options.Add(option);
                    break;
                default:
                    throw new ArgumentException($"'{symbol.Name}' is neither an argument nor an option", nameof(symbols));
            }
        }

        return command;
    }

    /// <summary>Sets what the command does; returns the command.</summary>
    public static Command Runs(this Command command, Func<ParseResult, CancellationToken, Task<int>> action)
    {
        command.SetAction(action);
        return command;
    }

    /// <summary>Sets what the command does (synchronous); returns the command.</summary>
    public static Command Runs(this Command command, Func<ParseResult, int> action)
    {
        command.SetAction(action);
        return command;
    }
}
