using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Ferry.Server.Pages;

/// <summary>A signed-in page: the caller as the database says now (see <see cref="WebSignIn"/>).</summary>
public abstract class FerryPageModel : PageModel
{
    internal Caller Caller => Caller.From(User) ?? throw new InvalidOperationException("the page needs a signed-in caller");

    /// <summary>An error to show in words at the top of the page.</summary>
    public string? Error { get; protected set; }

    /// <summary>A confirmation to show at the top of the page.</summary>
    public string? Message { get; protected set; }
}
