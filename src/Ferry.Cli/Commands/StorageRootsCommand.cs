using System.CommandLine;
using System.Globalization;
using Ferry.Cli.Server;

namespace Ferry.Cli.Commands;

/// <summary>
/// <c>ferry storage roots COMPANY_ID [--add DIR | --remove DIR] --server URL</c>: the server folders a company's upload
/// jobs may read, managed by the system administrator (after <c>ferry login URL</c>). Lists them when neither option is given.
/// </summary>
/// <param name="server">The <c>--server</c> option of the parent <c>ferry storage</c> command (recursive, required).</param>
internal sealed class StorageRootsCommand(Option<string> server)
{
    private readonly Argument<long> _company = new("company-id") { Description = "The company's id (GET /api/companies, or the Server folders page)" };
    private readonly Option<string?> _add = new("--add") { Description = "Give the company this server folder (an absolute path on the server, inside the operator's Ferry:AllowedRoots)" };
    private readonly Option<string?> _remove = new("--remove") { Description = "Take this server folder from the company (its queued jobs fail when a worker starts them)" };

    public Command Build()
    {
        return new Command("roots", "List, add or remove the server folders a company's upload jobs may read (system administrator).\n\nExit codes:\n  0  listed, added or removed\n  2  usage error, not signed in, or the server refused (not the system administrator, unknown company, folder outside Ferry:AllowedRoots or already a company's)").With(_company, _add, _remove).Runs((parse, cancellationToken) => RunAsync(parse, cancellationToken));
    }

    private async Task<int> RunAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        var company = parse.GetValue(_company);
        var add = parse.GetValue(_add);
        var remove = parse.GetValue(_remove);
        if (add is not null && remove is not null)
        {
            throw CliException.Usage("give --add DIR or --remove DIR, not both");
        }

        return await SignedInServer.RunAsync(parse.GetValue(server)!, async api =>
        {
            if (add is not null)
            {
                var root = await api.AddCompanyRootAsync(company, add, cancellationToken);
                Console.Out.WriteLine($"Added {root.Path} to company {company}'s server folders");
            }
            else if (remove is not null)
            {
                await api.RemoveCompanyRootAsync(company, remove, cancellationToken);
                Console.Out.WriteLine($"Removed {remove} from company {company}'s server folders");
            }
            else
            {
                var roots = await api.CompanyRootsAsync(company, cancellationToken);
                if (roots.Count == 0)
                {
                    Console.Out.WriteLine($"Company {company} has no server folders; add one with --add DIR");
                }

                foreach (var root in roots)
                {
                    Console.Out.WriteLine($"{root.Path}\t{root.CreatedAt.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)}");
                }
            }

            return ExitCodes.Success;
        });
    }
}
