using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Ferry.Server.Pages;

/// <summary>Shown when a signed-in user's role does not allow a page.</summary>
public sealed class DeniedModel : PageModel
{
    public void OnGet()
    {
    }
}
