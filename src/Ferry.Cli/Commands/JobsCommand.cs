using System.CommandLine;
using System.Globalization;
using System.Net;
using Ferry.Cli.Output;
using Ferry.Cli.Server;
using Ferry.Client;
using Ferry.Client.Contracts;
using Spectre.Console;

namespace Ferry.Cli.Commands;

/// <summary>
/// <c>ferry jobs queue|list|show|cancel --server URL</c>: upload jobs that a Ferry server's workers run from folders on
/// the server's own file systems (after <c>ferry login URL</c>). The commands call <c>/api/jobs</c> and print a table,
/// or with <c>--json</c> the API's JSON as it came.
/// </summary>
internal sealed class JobsCommand
{
    private const string Help = "\n\nExit codes:\n  0  done\n  1  show/cancel: the server has no such job in your company\n  2  usage error, not signed in, or the server refused (unknown project or cycle, folder not the company's, job already finished)";

    private readonly Option<string> _server = new("--server") { Description = "The Ferry server (after 'ferry login URL')", Required = true, Recursive = true };
    private readonly Option<bool> _json = new("--json") { Description = "Print the server's JSON instead of a table", Recursive = true };
    private readonly Argument<string> _directory = new("dir") { Description = "A folder on the server's file systems, inside one of your company's server folders" };
    private readonly Option<string> _project = new("--project") { Description = "The project (name or id)", Required = true };
    private readonly Option<string> _cycle = new("--cycle") { Description = "The cycle, e.g. C2", Required = true };
    private readonly Option<string?> _label = new("--label") { Description = "A label for the job's session" };
    private readonly Option<bool> _skipDuplicates = new("--skip-duplicates") { Description = "Do not upload files whose bytes the project already holds under another key; they are recorded as duplicates of that key" };
    private readonly Option<string?> _status = new("--status") { Description = "Only jobs with this status: queued, running, completed, failed or cancelled" };
    private readonly Option<int> _limit = new("--limit", "-n") { Description = "How many jobs, newest first (1-1000)", DefaultValueFactory = _ => 50 };
    private readonly Argument<long> _id = new("id") { Description = "The job's id (ferry jobs list)" };

    public Command Build()
    {
        var command = new Command("jobs", "Upload jobs run by a Ferry server's workers from folders on the server's file systems." + Help).With(_server, _json);

        command.Subcommands.Add(new Command("queue", "Queue an upload of DIR (a folder on the server) into a project's cycle; a worker runs it." + Help).With(_directory, _project, _cycle, _label, _skipDuplicates).Runs((parse, cancellationToken) => RunAsync(parse, api => QueueAsync(parse, api, cancellationToken))));

        command.Subcommands.Add(new Command("list", "The company's jobs, newest first: status, worker, attempts, folder." + Help).With(_status, _limit).Runs((parse, cancellationToken) => RunAsync(parse, api => ListAsync(parse, api, cancellationToken))));

        command.Subcommands.Add(new Command("show", "One job in detail, with its session's file counts." + Help).With(_id).Runs((parse, cancellationToken) => RunAsync(parse, api => ShowAsync(parse, api, cancellationToken))));

        command.Subcommands.Add(new Command("cancel", "Cancel a job: a queued one at once, a running one at its worker's next heartbeat." + Help).With(_id).Runs((parse, cancellationToken) => RunAsync(parse, api => CancelAsync(parse, api, cancellationToken))));
        return command;
    }

    private Task<int> RunAsync(ParseResult parse, Func<FerryApiClient, Task<int>> action) => SignedInServer.RunAsync(parse.GetValue(_server)!, async api =>
    {
        try
        {
            return await action(api);
        }
        catch (FerryApiException ex) when (ex.Status == HttpStatusCode.NotFound && parse.CommandResult.Command.Name is "show" or "cancel")
        {
            throw new CliException(ExitCodes.SomeFailed, $"the server has no job {parse.GetValue(_id)} in your company; list them with 'ferry jobs list --server {api.Server.GetLeftPart(UriPartial.Authority)}'");
        }
    });

    private async Task<int> QueueAsync(ParseResult parse, FerryApiClient api, CancellationToken cancellationToken)
    {
        var (project, cycle) = await ServerProjects.FindAsync(api, parse.GetValue(_project)!, parse.GetValue(_cycle)!, cancellationToken);
        var answer = await api.QueueJobAsync(project.Id, cycle.Id, parse.GetValue(_directory)!, parse.GetValue(_label), parse.GetValue(_skipDuplicates), cancellationToken);
        return await ShowAnswerAsync<JobResponse>(parse, answer, job =>
            Console.Out.WriteLine($"Queued job {job.Id}: {job.LocalDirectory} -> project '{project.Name}' cycle {cycle.Name} (session {job.SessionId}); follow it with 'ferry jobs show {job.Id} --server {api.Server.GetLeftPart(UriPartial.Authority)}'"));
    }

    private async Task<int> ListAsync(ParseResult parse, FerryApiClient api, CancellationToken cancellationToken)
    {
        var limit = parse.GetValue(_limit);
        if (limit is < 1 or > 1000)
        {
            throw CliException.Usage($"--limit {limit} is out of range; use 1-1000");
        }

        var answer = await api.JobsAsync(parse.GetValue(_status), limit, cancellationToken);
        return await ShowAnswerAsync<List<JobResponse>>(parse, answer, ShowJobs);
    }

    private static void ShowJobs(List<JobResponse> jobs)
    {
        if (jobs.Count == 0)
        {
            Console.Out.WriteLine("No jobs; queue one with 'ferry jobs queue DIR --project P --cycle C --server URL'.");
            return;
        }

        var table = new Table().AddColumns("ID", "STATUS", "CREATED (UTC)", "PROJECT", "CYCLE", "SESSION", "WORKER", "ATTEMPTS", "FOLDER", "MESSAGE");
        foreach (var j in jobs)
        {
            table.AddRow(
                Text(j.Id.ToString(CultureInfo.InvariantCulture)), Text(j.Status + (j.CancelRequested && j.Status == "running" ? " (cancelling)" : "")),
                Text(j.CreatedAt.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)), Text(j.ProjectId.ToString(CultureInfo.InvariantCulture)),
                Text(j.CycleId.ToString(CultureInfo.InvariantCulture)), Text(j.SessionId.ToString(CultureInfo.InvariantCulture)), Text(j.Worker ?? "-"),
                Text(j.Attempts.ToString(CultureInfo.InvariantCulture)), Text(j.LocalDirectory), Text(j.Message ?? ""));
        }

        ConsoleTable.Write(table);
    }

    private async Task<int> ShowAsync(ParseResult parse, FerryApiClient api, CancellationToken cancellationToken)
    {
        var answer = await api.JobAsync(parse.GetValue(_id), cancellationToken);
        return await ShowAnswerAsync<JobResponse>(parse, answer, async job =>
        {
            var session = await api.SessionAsync(job.SessionId, cancellationToken);
            var table = new Table().HideHeaders().AddColumns("", "");
            void Row(string name, string? value) => table.AddRow(Text(name), Text(value ?? "-"));
            Row("job", job.Id.ToString(CultureInfo.InvariantCulture));
            Row("status", job.Status + (job.CancelRequested && job.Status == "running" ? " (cancel requested: stops at the worker's next heartbeat)" : ""));
            Row("folder", job.LocalDirectory);
            Row("destination", $"s3://{session.Bucket}/{session.Prefix} (project {job.ProjectId}, cycle {job.CycleId})");
            Row("session", $"{job.SessionId}: {session.Status}, {session.TotalFiles} files, {session.UploadedFiles} uploaded, {session.SkippedFiles} already there, {session.FailedFiles} failed, {session.PendingFiles} pending");
            Row("worker", job.Worker);
            Row("attempts", job.Attempts.ToString(CultureInfo.InvariantCulture));
            Row("created", job.CreatedAt.ToString("O", CultureInfo.InvariantCulture));
            Row("started", job.StartedAt?.ToString("O", CultureInfo.InvariantCulture));
            Row("heartbeat", job.HeartbeatAt?.ToString("O", CultureInfo.InvariantCulture));
            Row("finished", job.FinishedAt?.ToString("O", CultureInfo.InvariantCulture));
            Row("message", job.Message);
            ConsoleTable.Write(table);
        });
    }

    private async Task<int> CancelAsync(ParseResult parse, FerryApiClient api, CancellationToken cancellationToken)
    {
        var answer = await api.CancelJobAsync(parse.GetValue(_id), cancellationToken);
        return await ShowAnswerAsync<JobResponse>(parse, answer, job => Console.Out.WriteLine(job.Status == "running"
            ? $"Job {job.Id} is running on {job.Worker}; it stops at the worker's next heartbeat"
            : $"Job {job.Id}: {job.Status}"));
    }

    /// <summary>With <c>--json</c>, prints the server's answer as it came; otherwise reads it as <typeparamref name="T"/> and shows it.</summary>
    private Task<int> ShowAnswerAsync<T>(ParseResult parse, System.Text.Json.Nodes.JsonNode answer, Action<T> show) =>
        ShowAnswerAsync<T>(parse, answer, value =>
        {
            show(value);
            return Task.CompletedTask;
        });

    /// <inheritdoc cref="ShowAnswerAsync{T}(ParseResult, System.Text.Json.Nodes.JsonNode, Action{T})"/>
    private async Task<int> ShowAnswerAsync<T>(ParseResult parse, System.Text.Json.Nodes.JsonNode answer, Func<T, Task> show)
    {
        if (parse.GetValue(_json))
        {
            Console.Out.WriteLine(answer.ToJsonString());
        }
        else
        {
            await show(FerryApiClient.Read<T>(answer));
        }

        return ExitCodes.Success;
    }

    /// <summary>A cell shown as it is: names and messages from the server are not Spectre markup.</summary>
    private static Text Text(string value) => new(value);
}
