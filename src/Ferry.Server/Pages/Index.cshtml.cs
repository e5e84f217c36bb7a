using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Ferry.Server.Pages;

/// <summary>The home page is the upload page.</summary>
public sealed class IndexModel : PageModel
{
    public IActionResult OnGet() => Redirect("/upload");
}
