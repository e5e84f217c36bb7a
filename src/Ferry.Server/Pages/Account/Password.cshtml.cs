using Ferry.Server.Auth;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;

namespace Ferry.Server.Pages.Account;

/// <summary>Changes the caller's password; every other sign-in and token of theirs stops working, and they sign in again.</summary>
public sealed class PasswordModel : FerryPageModel
{
    [BindProperty] public string? CurrentPassword { get; set; }
    [BindProperty] public string? NewPassword { get; set; }

    public void OnGet()
    {
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        var user = await Db.Users.FirstAsync(u => u.Id == Caller.UserId, cancellationToken).ConfigureAwait(false);
        if (CurrentPassword is null || !PasswordHashing.Verify(user.PasswordHash, CurrentPassword))
        {
            Error = "The current password is wrong.";
            return Page();
        }

        if (PasswordHashing.Problem(NewPassword, user.Username) is { } problem)
        {
            Error = char.ToUpperInvariant(problem[0]) + problem[1..] + ".";
            return Page();
        }

        user.PasswordHash = PasswordHashing.Hash(NewPassword!);
        user.PasswordChangedAt = Service<TimeProvider>().GetUtcNow();
        await Db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        await HttpContext.SignOutAsync(WebSignIn.Scheme).ConfigureAwait(false);
        return Redirect("/signin");
    }
}
