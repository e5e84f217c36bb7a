using Ferry.Server.Auth;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Ferry.Server.Pages;

/// <summary>Signs out (POST only): this and every other web sign-in of the user, and their page tokens, end at once; then the sign-in page.</summary>
public sealed class SignOutModel : PageModel
{
    public IActionResult OnGet() => Redirect("/upload");

    public async Task<IActionResult> OnPostAsync()
    {
        await WebSignIn.SignOutAsync(HttpContext, HttpContext.RequestServices.GetRequiredService<FerryDbContext>(), HttpContext.RequestServices.GetRequiredService<TimeProvider>()).ConfigureAwait(false);
        return Redirect("/signin");
    }
}
