using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Ferry.Server.Pages;

/// <summary>Signs out (POST only): this and every other web sign-in of the user, and their page tokens, end at once; then the sign-in page.</summary>
internal sealed class SignOutModel(FerryDbContext db, TimeProvider time) : PageModel
{
    private readonly FerryDbContext _db = db;
    private readonly TimeProvider _time = time;

    public IActionResult OnGet() => Redirect("/upload");

    public async Task<IActionResult> OnPostAsync()
    {
        await WebSignIn.SignOutAsync(HttpContext, _db, _time);
        return Redirect("/signin");
    }
}
