using Spectre.Console;

namespace Ferry.Cli.Output;

/// <summary>
/// Writes a Spectre.Console table to standard output. When the output is redirected (a pipe or a file) the table is
/// drawn without colour at a fixed width of 240 columns, so rows are not wrapped at the 80 columns Spectre assumes.
/// </summary>
internal static class ConsoleTable
{
    public static void Write(Table table)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(Console.Out),
            Ansi = Console.IsOutputRedirected ? AnsiSupport.No : AnsiSupport.Detect,
            ColorSystem = Console.IsOutputRedirected ? ColorSystemSupport.NoColors : ColorSystemSupport.Detect,
            Interactive = InteractionSupport.No,
        });
        if (Console.IsOutputRedirected)
        {
            console.Profile.Width = 240;
        }

        console.Write(table);
    }
}
