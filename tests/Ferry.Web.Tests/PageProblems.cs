using Microsoft.Playwright;

namespace Ferry.Web.Tests;

/// <summary>
/// What went wrong on a page while a test drove it: script errors, console errors, answers of 400 and above and requests
/// that got no answer, each with its URL so a failure says which request it was.
/// </summary>
public sealed class PageProblems
{
    private readonly List<(string Line, bool Retried)> _lines = [];

    private PageProblems(IPage page)
    {
        page.PageError += (_, error) => Add($"script error: {error}", retried: false);
        page.Console += (_, message) =>
        {
            // Chromium logs every answer of 400 and above as "Failed to load resource"; Response below records those with their URL.
            if (message.Type == "error" && !message.Text.StartsWith("Failed to load resource", StringComparison.Ordinal))
            {
                Add($"console error: {message.Text} ({message.Location})", retried: false);
            }
        };
        page.Response += (_, response) =>
        {
            if (response.Status >= 400)
            {
                Add($"{response.Status} {response.Request.Method} {response.Url}", RetriedByThePage(response.Status));
            }
        };
        page.RequestFailed += (_, request) => Add($"no answer ({request.Failure}) {request.Method} {request.Url}", retried: true);
    }

    /// <summary>Starts recording the page's problems.</summary>
    public static PageProblems Watch(IPage page) => new(page);

    /// <summary>Every problem, one per line.</summary>
    public IReadOnlyList<string> All
    {
        get
        {
            lock (_lines)
            {
                return [.. _lines.Select(l => l.Line)];
            }
        }
    }

    /// <summary>
    /// The problems the upload page does not retry by design: everything but answers of 429 and 5xx and requests that
    /// got no answer (a loaded machine or a busy S3 gives those, and the page tries again, as docs/web.md says).
    /// </summary>
    public IReadOnlyList<string> NotRetried
    {
        get
        {
            lock (_lines)
            {
                return [.. _lines.Where(l => !l.Retried).Select(l => l.Line)];
            }
        }
    }

    private static bool RetriedByThePage(int status) => status is 429 or >= 500;

    private void Add(string line, bool retried)
    {
        lock (_lines)
        {
            _lines.Add((line, retried));
        }
    }
}
