using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Filters;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Ferry.Server.Pages;

/// <summary>
/// A signed-in page: the caller as the database says now (see <see cref="WebSignIn"/>). A page meant for some callers
/// only says so once, in <see cref="Allowed"/>: anyone else gets <see cref="Refused"/> before any of its handlers runs.
/// </summary>
public abstract class FerryPageModel : PageModel
{
    internal Caller Caller => Caller.From(User) ?? throw new InvalidOperationException("the page needs a signed-in caller");

    /// <summary>An error to show in words at the top of the page.</summary>
    public string? Error { get; protected set; }

    /// <summary>A confirmation to show at the top of the page.</summary>
    public string? Message { get; protected set; }

    /// <summary>Whether the caller may use the page at all (every handler); any signed-in caller unless a page says otherwise.</summary>
    private protected virtual bool Allowed => true;

    /// <summary>The answer to a caller the page does not allow: the Not allowed page (the sign-in cookie's forbid).</summary>
    private protected virtual IActionResult Refused() => Forbid(WebSignIn.Scheme);

    /// <summary>Loads what the page shows; <see cref="ShowAsync"/> calls it.</summary>
    private protected virtual Task LoadAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Loads what the page shows, then shows it (with <see cref="Error"/> and <see cref="Message"/> as the handler left them).</summary>
    private protected async Task<IActionResult> ShowAsync(CancellationToken cancellationToken)
    {
        await LoadAsync(cancellationToken);
        return Page();
    }

    public override async Task OnPageHandlerExecutionAsync(PageHandlerExecutingContext context, PageHandlerExecutionDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        if (!Allowed)
        {
            context.Result = Refused();
            return;
        }

        await base.OnPageHandlerExecutionAsync(context, next);
    }
}
