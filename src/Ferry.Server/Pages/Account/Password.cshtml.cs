using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;

namespace Ferry.Server.Pages.Account;

/// <summary>Changes the caller's password (through the sign-in throttle; required after an administrator's reset or a generated first password); every other sign-in and token of theirs stops working, and they sign in again.</summary>
internal sealed class PasswordModel(UserAccounts accounts) : FerryPageModel
{
    private readonly UserAccounts _accounts = accounts;

    [BindProperty] public string? CurrentPassword { get; set; }
    [BindProperty] public string? NewPassword { get; set; }

    public void OnGet()
    {
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        var (refusal, _) = await _accounts.ChangePasswordAsync(Caller.UserId, CurrentPassword, NewPassword, HttpContext.Connection.RemoteIpAddress?.ToString() ?? "unknown", cancellationToken);
        if (refusal is not null)
        {
            Error = refusal.Sentence;
            return Page();
        }

        await HttpContext.SignOutAsync(WebSignIn.Scheme);
        return Redirect("/signin");
    }
}
