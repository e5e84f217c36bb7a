using System.CommandLine;
using System.Net;
using System.Text;
using Ferry.Cli.Server;
using Ferry.Client;

namespace Ferry.Cli.Commands;

/// <summary><c>ferry login URL</c>: signs in to a Ferry server and stores the token for later commands.</summary>
internal sealed class LoginCommand(TimeProvider time)
{
    private readonly Argument<string> _server = new("server") { Description = "The Ferry server, e.g. http://127.0.0.1:8080" };
    private readonly Option<string?> _username = new("--username", "-u") { Description = "User name (default: FERRY_USERNAME, else asked)" };
    private readonly Option<bool> _passwordStdin = new("--password-stdin") { Description = "Read the password from the first line of standard input (default: FERRY_PASSWORD, else asked without echo)" };

    public Command Build()
    {
        return new Command("login", "Sign in to a Ferry server; the token is kept (mode 0600) in Ferry's data directory for 'ferry upload --server'.\n\nExit codes:\n  0  signed in\n  2  wrong user name or password, too many attempts, or the server cannot be reached").With(_server, _username, _passwordStdin).Runs((parse, cancellationToken) => RunAsync(parse, cancellationToken));
    }

    private async Task<int> RunAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        var server = ServerTokenStore.Normalize(parse.GetValue(_server)!);
        var username = parse.GetValue(_username) ?? Environment.GetEnvironmentVariable("FERRY_USERNAME") ?? Ask("User name: ", echo: true);
        var password = parse.GetValue(_passwordStdin)
            ? Console.In.ReadLine() ?? throw CliException.Usage("--password-stdin: standard input was empty; pipe the password in")
            : Environment.GetEnvironmentVariable("FERRY_PASSWORD") ?? Ask("Password: ", echo: false);

        using var client = new FerryApiClient(server, token: null, TimeSpan.FromSeconds(30));
        try
        {
            var (token, expiresIn) = await client.LoginAsync(username, password, cancellationToken);
            ServerTokenStore.Save(server, token, username, time.GetUtcNow().AddSeconds(expiresIn));
            Console.WriteLine($"signed in to {server.GetLeftPart(UriPartial.Authority)} as {username}; the token is valid for {TimeSpan.FromSeconds(expiresIn).TotalHours:0.#} hours");
            return ExitCodes.Success;
        }
        catch (FerryApiException ex)
        {
            throw CliException.Usage(ex.Status switch
            {
                HttpStatusCode.Unauthorized => $"wrong user name or password for {server.GetLeftPart(UriPartial.Authority)}",
                _ => ex.Message,
            });
        }
    }

    private static string Ask(string prompt, bool echo)
    {
        if (Console.IsInputRedirected)
        {
            throw CliException.Usage(echo
                ? "no user name: pass --username or set FERRY_USERNAME"
                : "no password: pass --password-stdin and pipe it in, or set FERRY_PASSWORD");
        }

        Console.Error.Write(prompt);
        if (echo)
        {
            return Console.ReadLine() ?? "";
        }

        var text = new StringBuilder();
        for (var key = Console.ReadKey(intercept: true); key.Key != ConsoleKey.Enter; key = Console.ReadKey(intercept: true))
        {
            if (key.Key == ConsoleKey.Backspace)
            {
                text.Length = Math.Max(0, text.Length - 1);
            }
            else if (!char.IsControl(key.KeyChar))
            {
                text.Append(key.KeyChar);
            }
        }

        Console.Error.WriteLine();
        return text.ToString();
    }
}
