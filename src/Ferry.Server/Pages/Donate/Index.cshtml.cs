using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Ferry.Server.Pages.Donate;

/// <summary>
/// A donation link's page (<c>/donate#TOKEN</c>, anonymous): the token stays in the URL's fragment, which the browser
/// never sends; the page's script reads it and calls <c>/api/link</c> with it (Api/DonationLinkEndpoints). The page
/// itself shows nothing of any company.
/// </summary>
[Microsoft.AspNetCore.Authorization.AllowAnonymous]
internal sealed class DonateModel : PageModel
{
    public void OnGet()
    {
    }
}
