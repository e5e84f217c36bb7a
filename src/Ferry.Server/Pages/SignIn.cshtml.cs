using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Ferry.Server.Pages;

/// <summary>The sign-in form (same checks and throttling as the API's login).</summary>
[Microsoft.AspNetCore.Authorization.AllowAnonymous]
internal sealed class SignInModel(PasswordCheck passwords, FerryDbContext db, TimeProvider time) : PageModel
{
    private readonly PasswordCheck _passwords = passwords;
    private readonly FerryDbContext _db = db;
    private readonly TimeProvider _time = time;

    [BindProperty]
    public string? Username { get; set; }

    [BindProperty]
    public string? Password { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? ReturnUrl { get; set; }

    public string? Error { get; private set; }

    public void OnGet()
    {
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(Username) || string.IsNullOrEmpty(Password))
        {
            Error = "Enter your user name and password.";
            return Page();
        }

        if (PasswordCheck.BoundsProblem(Username, Password) is { } bounds)
        {
            Response.StatusCode = StatusCodes.Status400BadRequest;
            Error = char.ToUpperInvariant(bounds[0]) + bounds[1..] + ".";
            return Page();
        }

        var result = await _passwords.CheckAsync(Username, Password, HttpContext.Connection.RemoteIpAddress?.ToString() ?? "unknown", cancellationToken);
        if (result.User is not { } user)
        {
            Error = char.ToUpperInvariant(result.Problem![0]) + result.Problem[1..] + ".";
            return Page();
        }

        await WebSignIn.SignInAsync(HttpContext, _db, user, _time);
        return LocalRedirect(Url.IsLocalUrl(ReturnUrl) ? ReturnUrl! : "/upload");
    }
}
