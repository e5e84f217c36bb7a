using Ferry.Server.Auth;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Ferry.Server.Pages;

/// <summary>Signs out (POST only) and returns to the sign-in page.</summary>
public sealed class SignOutModel : PageModel
{
    public IActionResult OnGet() => Redirect("/upload");

    public async Task<IActionResult> OnPostAsync()
    {
        await HttpContext.SignOutAsync(WebSignIn.Scheme).ConfigureAwait(false);
        return Redirect("/signin");
    }
}
